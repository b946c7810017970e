import { processListView, type ProcessInfo, type ProcessListView } from '@sandproc/core';
import { usePollingObserver, type BasePollingOptions } from './use-polling-observer.js';

/** Options of {@link useProcessList}. Polls every 1000 ms by default. */
export interface UseProcessListOptions extends BasePollingOptions<ProcessInfo[]> {
  /** A list known beforehand, e.g. fetched for server rendering (what the server renders). */
  initialData?: ProcessInfo[] | undefined;
}

/** What {@link useProcessList} returns: core's `ProcessListView` of the observer's state (tracked as in `useProcess`), and its requests. */
export interface UseProcessListResult extends ProcessListView {
  /** Requests the list now. */
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
