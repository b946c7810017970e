import { processListView, type ProcessInfo, type ProcessListView } from '@sandproc/core';
import { usePollingObserver, type BasePollingOptions } from './use-polling-observer.js';

/** Options of {@link useProcessList}. Polls every 1000 ms by default. */
export interface UseProcessListOptions extends BasePollingOptions<ProcessInfo[]> {
  /** A list known beforehand, e.g. fetched for server rendering (what the server renders). */
  initialData?: ProcessInfo[] | undefined;
}

/** What {@link useProcessList} returns. */
export interface UseProcessListResult {
  /** Every process the sandbox knows (any status); `undefined` until known. */
  processes: ProcessInfo[] | undefined;
  error: unknown;
  /** Consecutive failed requests (the poll backs off while it grows). */
  failureCount: number;
  isLoading: boolean;
  isFetching: boolean;
  isPolling: boolean;
  refetch: () => Promise<ProcessInfo[] | undefined>;
  /** After errors: forgets the backoff and requests now. */
  retry: () => Promise<ProcessInfo[] | undefined>;
}

/** The processes of the sandbox, polled while mounted; one poll shared by all components. */
export function useProcessList(options: UseProcessListOptions = {}): UseProcessListResult {
  const { initialData } = options;
  return usePollingObserver<ProcessInfo[], UseProcessListOptions, ProcessListView>(
    options,
    'list',
    (cache, client) => cache.getProcessListObserver(client, { initialData }),
    processListView,
  ).result;
}
