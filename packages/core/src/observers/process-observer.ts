import { NotFoundError } from '../errors/index.js';
import { isProcessFinished } from '../shared/normalize-process.js';
import type { ProcessInfo } from '../types.js';
import type { ObservableProcessApi } from './observed-client.js';
import { PollingObserver, type PollingOptions } from './polling-observer.js';
import { isPinnedProcess } from './process-pin.js';

/** Options of a {@link ProcessObserver}. */
export interface ProcessObserverOptions extends PollingOptions<ProcessInfo> {
  /** A state known beforehand (e.g. rendered on the server). If it is final, no request is made. */
  initialData?: ProcessInfo | undefined;
}

/**
 * Whether a process will not change any more: not `running`, and not `failed` with restarts
 * left (a process with `restartOnFailure` goes from `failed` back to `running`). The same decision
 * as {@link isProcessFinished}, under the name the observers have used.
 */
export const isProcessSettled: (process: ProcessInfo) => boolean = isProcessFinished;

/**
 * Watches one process: polls `process.get` while subscribed until the process settles (see
 * {@link isProcessSettled}). It stays with the process it first saw: after the first answer it
 * asks by pid, so a name reused by a later process never feeds it; and when the pid itself now
 * belongs to another process, it keeps the last state, reports a {@link NotFoundError} and stops.
 * Get a shared one from an `ObserverCache`.
 */
export class ProcessObserver extends PollingObserver<ProcessInfo> {
  readonly #api: ObservableProcessApi;
  #pin: ProcessInfo | undefined;
  #gone = false;
  /** The pid or name watched. */
  readonly id: string;

  constructor(api: ObservableProcessApi, id: string, options: ProcessObserverOptions = {}) {
    super(options);
    this.#api = api;
    this.id = id;
    if (options.initialData) this.#pin = options.initialData;
  }

  /** The pid followed since first contact; `undefined` before it. */
  get pid(): string | undefined {
    return this.#pin?.pid;
  }

  override setInitialData(data: ProcessInfo): void {
    if (this.snapshot.data === undefined) this.#pin ??= data;
    super.setInitialData(data);
  }

  /**
   * Records a state received elsewhere (e.g. the answer of `exec` or `stop`). Ignored once the
   * process settled, unless it is a later run (a later `startedAt`: the pid or name was reused,
   * and the observer follows the new run).
   */
  receive(process: ProcessInfo): void {
    const current = this.snapshot.data;
    const laterRun =
      current?.startedAt != null &&
      process.startedAt != null &&
      process.startedAt.getTime() > current.startedAt.getTime();
    if (laterRun) {
      this.#pin = process;
      this.#gone = false;
    } else if (this.#pin && !isPinnedProcess(this.#pin, process)) {
      return;
    }
    this.#pin ??= process;
    this.acceptData(process, laterRun);
  }

  protected async fetchData(signal: AbortSignal): Promise<ProcessInfo> {
    const pin = this.#pin;
    const process = await this.#api.get(pin?.pid ?? this.id, { signal });
    if (!pin) {
      this.#pin = process;
    } else if (!isPinnedProcess(pin, process)) {
      this.#gone = true;
      throw new NotFoundError({
        status: 404,
        message: `process ${pin.pid} (${pin.name}) is gone: its pid now belongs to ${process.name}`,
        processId: pin.pid,
      });
    } else {
      this.#pin = process;
    }
    return process;
  }

  /** Whether the process is over (settled, or gone): a look-up of a name now may find a later process. */
  get isOver(): boolean {
    const { data } = this.snapshot;
    return this.#gone || (data !== undefined && isProcessSettled(data));
  }

  protected override isSettled(process: ProcessInfo): boolean {
    return this.#gone || isProcessSettled(process);
  }
}
