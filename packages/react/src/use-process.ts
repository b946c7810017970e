import { processView, type ProcessInfo, type ProcessView } from '@sandproc/core';
import { useExitCallback } from './use-exit-callback.js';
import { usePollingObserver, type BasePollingOptions } from './use-polling-observer.js';

/** Options of {@link useProcess}. */
export interface UseProcessOptions extends BasePollingOptions<ProcessInfo> {
  /**
   * A state known beforehand, e.g. fetched for server rendering: what the server renders (and
   * hydration starts from), and the observer's first state if it has none yet. No request if
   * it is final.
   */
  initialData?: ProcessInfo | undefined;
  /**
   * Called once when the process is seen to end (a settled status), with its final state; only
   * if this component saw it running first (not for a process that had already ended).
   */
  onExit?: ((process: ProcessInfo) => void) | undefined;
}

/** What {@link useProcess} returns: core's `ProcessView` of the observer's state (the fields a component reads are tracked), and its requests. */
export interface UseProcessResult extends ProcessView {
  /** Requests the state now. */
  refetch: () => Promise<ProcessInfo | undefined>;
  /** After errors: forgets the backoff and requests now (see the observer's `retry`). */
  retry: () => Promise<ProcessInfo | undefined>;
}

/**
 * The live state of process `id` (pid or name), polled until it ends. Every component watching
 * the same process through the same provider shares one poll. After the first answer it stays
 * with that process (polled by pid): a later process given the same name does not show here.
 * No request is made on the server.
 */
export function useProcess(id: string | null | undefined, options: UseProcessOptions = {}): UseProcessResult {
  const { initialData } = options;
  const { result, latest } = usePollingObserver<ProcessInfo, UseProcessOptions, ProcessView>(
    options,
    id ?? undefined,
    (cache, client) => (id ? cache.getProcessObserver(client, id, { initialData }) : undefined),
    processView,
  );
  // Read through the tracked result: a change of the process always renders (to see its exit).
  useExitCallback(id, result.process, (process) => latest.current.onExit?.(process));
  return result;
}
