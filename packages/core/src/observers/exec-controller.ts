import type { ExecRequest, ProcessInfo, ProcessStatus, TerminalProcessStatus } from '../types.js';
import type { ObservableClient } from './observed-client.js';
import { ObserverCache } from './observer-cache.js';
import type { PollingOptions } from './polling-observer.js';
import type { ProcessObserver } from './process-observer.js';
import { Subscribable } from './subscribable.js';
import { latestPollingOptions } from './latest-polling-options.js';

/**
 * Status of an {@link ExecController}, both of its fields in one:
 * `idle → starting → running → completed | failed | stopped | killed`, and `error` when the
 * start request failed (the process may not exist). `reset()` goes back to `idle`. Read `phase`
 * and `processStatus` to tell the controller's part from the process's.
 */
export type ExecStatus = 'idle' | 'starting' | 'running' | TerminalProcessStatus | 'error';

/**
 * What the controller itself is doing (TanStack's `fetchStatus` beside `status`):
 * - `idle`: nothing started (or `reset`);
 * - `starting`: the start request is on its way;
 * - `started`: a process started and is followed (its own status is `processStatus`);
 * - `error`: the start request failed (see `startError`); the process may not exist.
 */
export type ExecPhase = 'idle' | 'starting' | 'started' | 'error';

/** Snapshot of an {@link ExecController}. */
export interface ExecState {
  /** `phase` and `processStatus` in one (see {@link ExecStatus}). */
  status: ExecStatus;
  /** What the controller is doing, apart from the process. */
  phase: ExecPhase;
  /** The started process's own status; `undefined` until it started. */
  processStatus: ProcessStatus | undefined;
  /** The started process, kept up to date while it runs; `undefined` before it started. */
  process: ProcessInfo | undefined;
  /** Why the start request failed (`phase: 'error'`); cleared by `reset` or `exec`. */
  startError: unknown;
  /** The error of the last poll of the started process; cleared by the next successful poll. */
  pollError: unknown;
  /** The error of the last `stop` or `kill`; cleared by the next `exec`, `stop`, `kill` or `reset`. */
  signalError: unknown;
  /** The error of the last request of any kind (start, stop, kill or poll); cleared by `reset` or `exec`. */
  error: unknown;
}

/** Options of an {@link ExecController}. */
export interface ExecControllerOptions {
  /**
   * How the started process is polled until it ends (see `ProcessObserver`). A function
   * `intervalMs` is looked up afresh before every poll. Change them with `setOptions`.
   */
  polling?: PollingOptions<ProcessInfo> | undefined;
  /**
   * The cache whose shared process observer follows the started process, so that everyone
   * watching it through the same cache shares one poll. Default: a cache of its own.
   */
  cache?: ObserverCache | undefined;
}

const initialState: ExecState = {
  status: 'idle',
  phase: 'idle',
  processStatus: undefined,
  process: undefined,
  startError: undefined,
  pollError: undefined,
  signalError: undefined,
  error: undefined,
};

/**
 * Starts one process at a time and follows it to its end. While subscribed it watches the
 * process through the cache's shared process observer of its pid (one poll however many watch it).
 */
export class ExecController extends Subscribable<ExecState> {
  readonly #client: ObservableClient;
  readonly #cache: ObserverCache;
  #options: ExecControllerOptions;
  /** Incremented by every `exec`/`reset`: answers to older requests are ignored. */
  #generation = 0;
  /** The observer followed while the controller is watched. */
  #observer: ProcessObserver | undefined;
  #unsubscribeObserver: (() => void) | undefined;

  constructor(client: ObservableClient, options: ExecControllerOptions = {}) {
    super(initialState);
    this.#client = client;
    this.#options = options;
    this.#cache = options.cache ?? new ObserverCache();
  }

  /** Changes the polling options (from the next poll; the process observer is shared: the last caller wins). */
  setOptions(options: Pick<ExecControllerOptions, 'polling'>): void {
    this.#options = { ...this.#options, polling: options.polling };
    const polling = this.#pollingOptions();
    if (polling) this.#observer?.setOptions(polling);
  }

  /**
   * Starts `request`. Resolves with the process as started (or finished, with
   * `waitForCompletion`); rejects with the client's error when the request fails (the phase is
   * then `error`). A process started before keeps running but is no longer followed.
   */
  exec = async (request: ExecRequest): Promise<ProcessInfo> => {
    const generation = ++this.#generation;
    this.#unwatch();
    this.#setPhase('starting', { ...initialState });
    let process: ProcessInfo;
    try {
      process = await this.#client.process.exec(request);
    } catch (error) {
      if (generation === this.#generation) this.#setPhase('error', { startError: error, error });
      throw error;
    }
    if (generation === this.#generation) {
      this.#setPhase('started', { process, processStatus: process.status });
      if (this.isActive || this.subscriberCount > 0) this.#watch(process);
      else this.#observerOf(process).receive(process);
    }
    return process;
  };

  /** Stops the process (SIGTERM to its group). Resolves with its state after the request. */
  stop = (): Promise<ProcessInfo | undefined> => this.#signal((id, api) => api.stop(id));

  /** Kills the process (SIGKILL, or `killSignal`, to its group). */
  kill = (killSignal?: string): Promise<ProcessInfo | undefined> =>
    this.#signal((id, api) => api.kill(id, killSignal === undefined ? {} : { killSignal }));

  /** Forgets the process (it keeps running) and goes back to `idle`. */
  reset = (): void => {
    this.#generation++;
    this.#unwatch();
    this.#setPhase('idle', { ...initialState });
  };

  protected override onActivate(): void {
    const { process } = this.snapshot;
    if (process && !this.#observer) this.#watch(process);
  }

  protected override onDeactivate(): void {
    this.#unwatch();
  }

  async #signal(
    send: (id: string, api: ObservableClient['process']) => Promise<ProcessInfo>,
  ): Promise<ProcessInfo | undefined> {
    const process = this.snapshot.process;
    if (!process) return undefined;
    const generation = this.#generation;
    this.#patch({ signalError: undefined });
    try {
      const answer = await send(process.pid, this.#client.process);
      if (generation !== this.#generation) return answer;
      const observer = this.#observer ?? this.#observerOf(process);
      observer.receive(answer);
      this.#followed(answer);
      // The answer may precede the exit: poll at once to see the final state.
      if (answer.status === 'running' && this.#observer) void this.#observer.refetch();
      return answer;
    } catch (error) {
      if (generation === this.#generation) this.#patch({ signalError: error, error });
      throw error;
    }
  }

  /** The cache's observer of `process`'s pid, seeded with it, with this controller's polling options. */
  #observerOf(process: ProcessInfo): ProcessObserver {
    const polling = this.#pollingOptions();
    const observer = this.#cache.getProcessObserver(this.#client, process.pid, { ...polling, initialData: process });
    if (polling) observer.setOptions(polling);
    return observer;
  }

  /** The polling options, with a function interval read from the latest options at each poll. */
  #pollingOptions(): PollingOptions<ProcessInfo> | undefined {
    return latestPollingOptions(() => this.#options.polling);
  }

  /** Follows the current process through the cache's shared observer of its pid. */
  #watch(process: ProcessInfo): void {
    const observer = this.#observerOf(process);
    observer.receive(process);
    this.#observer = observer;
    const sync = () => {
      const { data, error } = observer.getSnapshot();
      if (data) this.#followed(data);
      const previous = this.snapshot.pollError;
      if (error === previous) return;
      // A poll error shows in `error` until a poll succeeds; other errors stay until the next action.
      if (error !== undefined) this.#patch({ pollError: error, error });
      else this.#patch({ pollError: undefined, ...(this.snapshot.error === previous ? { error: undefined } : {}) });
    };
    this.#unsubscribeObserver = observer.subscribe(sync);
    sync();
  }

  #unwatch(): void {
    this.#unsubscribeObserver?.();
    this.#unsubscribeObserver = undefined;
    this.#observer = undefined;
  }

  #followed(process: ProcessInfo): void {
    this.#patch({ process, processStatus: process.status, status: process.status });
  }

  #patch(patch: Partial<ExecState>): void {
    this.setSnapshot(patch);
  }

  /** The one place the phase changes (with the fields that change along, and `status` from both). */
  #setPhase(phase: ExecPhase, patch: Partial<ExecState> = {}): void {
    const processStatus = patch.processStatus;
    const status: ExecStatus =
      phase === 'started' && processStatus ? processStatus : phase === 'started' ? 'running' : phase;
    this.setSnapshot({ ...patch, phase, status });
  }
}
