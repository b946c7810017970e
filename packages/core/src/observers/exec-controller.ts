import type { ExecRequest, ProcessInfo, TerminalProcessStatus } from '../types.js';
import type { ObservableClient } from './observed-client.js';
import { getProcessObserver } from './observer-registry.js';
import type { PollingOptions } from './polling-observer.js';
import type { ProcessObserver } from './process-observer.js';
import { Subscribable } from './subscribable.js';

/**
 * State of an {@link ExecController}:
 * `idle → starting → running → completed | failed | stopped | killed`, and `error` when the
 * start request failed (the process may not exist). `reset()` goes back to `idle`.
 */
export type ExecStatus = 'idle' | 'starting' | 'running' | TerminalProcessStatus | 'error';

/** Snapshot of an {@link ExecController}. */
export interface ExecState {
  status: ExecStatus;
  /** The started process, kept up to date while it runs; `undefined` before it started. */
  process: ProcessInfo | undefined;
  /** The error of the last request (start, stop, kill or poll); cleared by `reset` or `exec`. */
  error: unknown;
}

/** Options of an {@link ExecController}. */
export interface ExecControllerOptions {
  /**
   * How the started process is polled until it ends (see `ProcessObserver`). Read when a
   * process starts and when the controller is watched again; a function `intervalMs` is looked
   * up here afresh before every poll, so `options` may be an object with a `polling` getter
   * returning the latest options (as bindings do).
   */
  polling?: PollingOptions<ProcessInfo>;
}

const initialState: ExecState = { status: 'idle', process: undefined, error: undefined };

/**
 * Starts one process at a time and follows it to its end. While subscribed it watches the
 * process through the shared process observer (one poll however many watch it).
 */
export class ExecController extends Subscribable<ExecState> {
  readonly #client: ObservableClient;
  readonly #options: ExecControllerOptions;
  /** Incremented by every `exec`/`reset`: answers to older requests are ignored. */
  #generation = 0;
  #observer: ProcessObserver | undefined;
  #unsubscribeObserver: (() => void) | undefined;
  #pollError: unknown;

  constructor(client: ObservableClient, options: ExecControllerOptions = {}) {
    super(initialState);
    this.#client = client;
    this.#options = options;
  }

  /**
   * Starts `request`. Resolves with the process as started (or finished, with
   * `waitForCompletion`); rejects with the client's error when the request fails (the state is
   * then `error`). A process started before keeps running but is no longer followed.
   */
  exec = async (request: ExecRequest): Promise<ProcessInfo> => {
    const generation = ++this.#generation;
    this.#follow(undefined);
    this.#setStatus('starting', { process: undefined, error: undefined });
    let process: ProcessInfo;
    try {
      process = await this.#client.process.exec(request);
    } catch (error) {
      if (generation === this.#generation) this.#setStatus('error', { error });
      throw error;
    }
    if (generation === this.#generation) {
      const observer = this.#acquire(process.pid);
      observer.receive(process);
      this.#follow(observer);
      this.#update(process);
    }
    return process;
  };

  /** Stops the process (SIGTERM to its group). Resolves with its state after the request. */
  stop = (): Promise<ProcessInfo | undefined> =>
    this.#signal((id, api) => api.stop(id));

  /** Kills the process (SIGKILL, or `killSignal`, to its group). */
  kill = (killSignal?: string): Promise<ProcessInfo | undefined> =>
    this.#signal((id, api) => api.kill(id, killSignal === undefined ? {} : { killSignal }));

  /** Forgets the process (it keeps running) and goes back to `idle`. */
  reset = (): void => {
    this.#generation++;
    this.#follow(undefined);
    this.#setStatus('idle', { process: undefined, error: undefined });
  };

  protected override onActivate(): void {
    const process = this.snapshot.process;
    if (!this.#observer || this.#unsubscribeObserver || !process) return;
    // The registry may have dropped the observer while nobody watched: look it up again, so the
    // process is polled by the one observer everyone else shares.
    const observer = this.#acquire(process.pid);
    observer.setInitialData(process);
    this.#follow(observer);
  }

  protected override onDeactivate(): void {
    this.#unsubscribeObserver?.();
    this.#unsubscribeObserver = undefined;
  }

  async #signal(
    send: (id: string, api: ObservableClient['process']) => Promise<ProcessInfo>,
  ): Promise<ProcessInfo | undefined> {
    const process = this.snapshot.process;
    if (!process) return undefined;
    const generation = this.#generation;
    try {
      const answer = await send(process.pid, this.#client.process);
      if (generation !== this.#generation) return answer;
      this.#observer?.receive(answer);
      this.#update(answer);
      // The answer may precede the exit: poll at once to see the final state.
      if (answer.status === 'running') void this.#observer?.refetch();
      return answer;
    } catch (error) {
      if (generation === this.#generation) this.setSnapshot({ error });
      throw error;
    }
  }

  /** The shared observer of `pid`, with this controller's polling options. */
  #acquire(pid: string): ProcessObserver {
    const polling = this.#pollingOptions();
    const observer = getProcessObserver(this.#client, pid, polling);
    if (polling) observer.setOptions(polling);
    return observer;
  }

  /** The polling options, with a function interval read from the latest options at each poll. */
  #pollingOptions(): PollingOptions<ProcessInfo> | undefined {
    const polling = this.#options.polling;
    if (typeof polling?.intervalMs !== 'function') return polling;
    return {
      ...polling,
      intervalMs: (process) => {
        const latest = this.#options.polling?.intervalMs;
        return typeof latest === 'function' ? latest(process) : (latest ?? 1000);
      },
    };
  }

  #follow(observer: ProcessObserver | undefined): void {
    this.#unsubscribeObserver?.();
    this.#unsubscribeObserver = undefined;
    this.#observer = observer;
    if (observer && this.subscriberCount > 0) this.#watch(observer);
  }

  #watch(observer: ProcessObserver): void {
    const sync = () => {
      const { data, error } = observer.getSnapshot();
      if (data) this.#update(data);
      if (error !== this.#pollError) {
        // A poll error shows until a poll succeeds; other errors stay until the next action.
        if (error !== undefined) this.setSnapshot({ error });
        else if (this.snapshot.error === this.#pollError) this.setSnapshot({ error: undefined });
        this.#pollError = error;
      }
    };
    this.#unsubscribeObserver = observer.subscribe(sync);
    sync();
  }

  #update(process: ProcessInfo): void {
    this.#setStatus(process.status, { process });
  }

  /** The one place the status changes (with the fields that change along). */
  #setStatus(status: ExecStatus, patch: Partial<ExecState> = {}): void {
    this.setSnapshot({ ...patch, status });
  }
}
