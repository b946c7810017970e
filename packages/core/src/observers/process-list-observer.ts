import type { ProcessInfo } from '../types.js';
import type { ObservableProcessApi } from './observed-client.js';
import { PollingObserver, type PollingOptions } from './polling-observer.js';
import { inShownOrder } from './shown-order.js';

/** Options of a {@link ProcessListObserver}. Its `intervalMs` defaults to 1000. */
export interface ProcessListObserverOptions extends PollingOptions<ProcessInfo[]> {
  /** A list known beforehand (e.g. rendered on the server). */
  initialData?: ProcessInfo[] | undefined;
}

/**
 * Watches the list of processes: polls `process.list()` while subscribed. The list keeps the
 * order it was first shown in (new processes after; see {@link inShownOrder}), whatever order the
 * server answers in, so an unchanged list stays the same array. Get a shared one from an
 * `ObserverCache`.
 */
export class ProcessListObserver extends PollingObserver<ProcessInfo[]> {
  readonly #api: ObservableProcessApi;

  constructor(api: ObservableProcessApi, options: ProcessListObserverOptions = {}) {
    super(options);
    this.#api = api;
  }

  protected async fetchData(signal: AbortSignal): Promise<ProcessInfo[]> {
    return inShownOrder(this.snapshot.data, await this.#api.list({ signal }));
  }
}
