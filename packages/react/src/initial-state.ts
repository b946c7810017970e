import type { PollingState } from '@sandproc/core';
import { useMemo } from 'react';

/**
 * Whether this renders on the server (no `document`). There the hooks leave the shared observer
 * registry alone: it lives as long as the client, which one server often shares between
 * requests, so one request's data would show in the next (and its cleanup timers would run on).
 */
export const isServer = (): boolean => typeof document === 'undefined';

/**
 * The state before any request, `initialData` if given (else nothing: loading, or idle), as a
 * stable getter: the snapshot of server rendering and of hydration, so both render the same.
 */
export function useInitialState<TData>(initialData: TData | undefined): () => PollingState<TData> {
  return useMemo(() => {
    const state: PollingState<TData> = {
      data: initialData,
      error: undefined,
      failureCount: 0,
      isFetching: false,
      isPolling: false,
      updatedAt: 0,
    };
    return () => state;
  }, [initialData]);
}

/** `refetch` where there is no observer (no id, or server rendering): nothing to fetch. */
export const noRefetch = async (): Promise<undefined> => undefined;
