import type { ProcessInfo } from '../types.js';
import type { ObservableProcessApi } from './observed-client.js';
import { PollingObserver, type PollingOptions } from './polling-observer.js';

/** Options of a {@link ProcessObserver}. */
export interface ProcessObserverOptions extends PollingOptions<ProcessInfo> {
  /** A state known beforehand (e.g. rendered on the server). If it is final, no request is made. */
  initialData?: ProcessInfo | undefined;
}

/**
 * Whether a process will not change any more: not `running`, and not `failed` with restarts
 * left (a process with `restartOnFailure` goes from `failed` back to `running`).
 */
export function isProcessSettled(process: ProcessInfo): boolean {
  if (process.status === 'running') return false;
  if (process.status !== 'failed' || !process.restartOnFailure) return true;
  return process.maxRestarts >= 0 && process.restartCount >= process.maxRestarts;
}

/**
 * Watches one process: polls `process.get(id)` while subscribed until the process settles
 * (see {@link isProcessSettled}). Get a shared one with `getProcessObserver(client, id)`.
 */
export class ProcessObserver extends PollingObserver<ProcessInfo> {
  readonly #api: ObservableProcessApi;
  /** The pid or name watched. */
  readonly id: string;

  constructor(api: ObservableProcessApi, id: string, options: ProcessObserverOptions = {}) {
    super(options);
    this.#api = api;
    this.id = id;
  }

  /**
   * Records a state received elsewhere (e.g. the answer of `exec` or `stop`). Ignored once the
   * process settled, unless it is a later run (a later `startedAt`: the pid or name was reused).
   */
  receive(process: ProcessInfo): void {
    const current = this.snapshot.data;
    const laterRun =
      current?.startedAt != null &&
      process.startedAt != null &&
      process.startedAt.getTime() > current.startedAt.getTime();
    this.acceptData(process, laterRun);
  }

  protected fetchData(signal: AbortSignal): Promise<ProcessInfo> {
    return this.#api.get(this.id, { signal });
  }

  protected override isSettled(process: ProcessInfo): boolean {
    return isProcessSettled(process);
  }
}
