import type { ProcessInfo } from '../types.js';
import type { ObservableProcessApi } from './observed-client.js';
import { PollingObserver, type PollingOptions } from './polling-observer.js';

/** Options of a {@link ProcessListObserver}. Its `intervalMs` defaults to 1000. */
export interface ProcessListObserverOptions extends PollingOptions<ProcessInfo[]> {
  /** A list known beforehand (e.g. rendered on the server). */
  initialData?: ProcessInfo[] | undefined;
}

/**
 * Watches the list of processes: polls `process.list()` while subscribed. Get a shared one
 * from an `ObserverCache`.
 */
export class ProcessListObserver extends PollingObserver<ProcessInfo[]> {
  readonly #api: ObservableProcessApi;

  constructor(api: ObservableProcessApi, options: ProcessListObserverOptions = {}) {
    super(options);
    this.#api = api;
  }

  protected fetchData(signal: AbortSignal): Promise<ProcessInfo[]> {
    return this.#api.list({ signal });
  }
}
