import {
  getProcessListObserver,
  type ObservableClient,
  type PollingOptions,
  type PollingState,
  type ProcessInfo,
} from '@sandproc/core';
import { useMemo, useSyncExternalStore } from 'react';
import { useObserverSubscribe } from './use-observer-subscribe.js';
import { usePollingOptions } from './use-polling-options.js';
import { useLatest } from './use-latest.js';
import { isServer, noRefetch, useInitialState } from './initial-state.js';
import { useSandprocClient } from './sandproc-context.js';

/** Options of {@link useProcessList}. Polls every 1000 ms by default. */
export interface UseProcessListOptions extends PollingOptions<ProcessInfo[]> {
  /** Watch the list. Default `true`. */
  enabled?: boolean;
  /** A list known beforehand, e.g. fetched for server rendering (what the server renders). */
  initialData?: ProcessInfo[];
  /** Use this client instead of the provider's. */
  client?: ObservableClient;
}

/** What {@link useProcessList} returns. */
export interface UseProcessListResult {
  /** Every process the sandbox knows (any status); `undefined` until known. */
  processes: ProcessInfo[] | undefined;
  error: unknown;
  isLoading: boolean;
  isFetching: boolean;
  isPolling: boolean;
  refetch: () => Promise<ProcessInfo[] | undefined>;
}


/** The processes of the sandbox, polled while mounted; one poll shared by all components. */
export function useProcessList(options: UseProcessListOptions = {}): UseProcessListResult {
  const client = useSandprocClient(options.client);
  const enabled = options.enabled !== false;
  const { initialData } = options;
  // Not on the server: the registry is shared by every request rendered with this client.
  const observer = isServer() ? undefined : getProcessListObserver(client, { initialData });
  const latest = useLatest(options);

  usePollingOptions(observer, enabled, options, latest);
  const subscribe = useObserverSubscribe(observer, enabled);
  const getInitialState = useInitialState(initialData);
  const state: PollingState<ProcessInfo[]> = useSyncExternalStore(
    subscribe,
    observer ? observer.getSnapshot : getInitialState,
    getInitialState,
  );
  return useMemo(
    () => ({
      processes: state.data,
      error: state.error,
      isLoading: enabled && state.data === undefined && state.error === undefined,
      isFetching: state.isFetching,
      isPolling: state.isPolling,
      refetch: observer ? observer.refetch : noRefetch,
    }),
    [state, enabled, observer],
  );
}
