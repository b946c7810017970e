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
import { useSandprocClient } from './sandproc-context.js';

/** Options of {@link useProcessList}. Polls every 1000 ms by default. */
export interface UseProcessListOptions extends PollingOptions<ProcessInfo[]> {
  /** Watch the list. Default `true`. */
  enabled?: boolean;
  /** A list known beforehand, e.g. rendered on the server. */
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
  const observer = getProcessListObserver(client, { initialData: options.initialData });
  const latest = useLatest(options);

  usePollingOptions(observer, enabled, options, latest);
  const subscribe = useObserverSubscribe(observer, enabled);
  const state: PollingState<ProcessInfo[]> = useSyncExternalStore(
    subscribe,
    observer.getSnapshot,
    observer.getSnapshot,
  );
  return useMemo(
    () => ({
      processes: state.data,
      error: state.error,
      isLoading: enabled && state.data === undefined && state.error === undefined,
      isFetching: state.isFetching,
      isPolling: state.isPolling,
      refetch: observer.refetch,
    }),
    [state, enabled, observer],
  );
}
