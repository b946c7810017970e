import { defaultMaxBackoffMs, defaultPollIntervalMs } from '../constants.js';
import { keepEqualParts } from './keep-equal-parts.js';
import { Subscribable } from './subscribable.js';
import { LONGEST_TIMER_MS } from '../shared/timer-limit.js';

/** Poll interval in milliseconds, or `false` to stop polling. */
export type PollInterval<TData> = number | false | ((data: TData | undefined) => number | false);

/** Options shared by the polling observers. */
export interface PollingOptions<TData> {
  /**
   * Milliseconds between the end of one request and the start of the next, or a function of
   * the last data returning that delay (or `false` to stop polling; so does `Infinity`, or any
   * delay from 2^31 ms). Read afresh before every poll. Default 1000.
   */
  intervalMs?: PollInterval<TData> | undefined;
  /**
   * Upper bound of the error backoff, in milliseconds. After an error the next poll waits the
   * interval, doubled for each further consecutive error (interval × 2^(errors − 1)), up to this
   * many milliseconds but never less than the interval itself; a success returns to the plain
   * interval. Default 30000.
   */
  maxBackoffMs?: number | undefined;
  /**
   * Pause polling while the page is hidden (`document.visibilityState === 'hidden'`) and poll
   * at once when it shows again. No effect where there is no `document`. Default `false`.
   */
  pauseWhenHidden?: boolean | undefined;
}

/** Snapshot of a polling observer. */
export interface PollingState<TData> {
  /** The last data received (or the initial data); `undefined` before the first answer. */
  data: TData | undefined;
  /** The error of the last request; cleared by the next success. */
  error: unknown;
  /** Consecutive failed requests. */
  failureCount: number;
  /** A request is in flight. */
  isFetching: boolean;
  /** A poll loop is running: the observer is watched, not paused, and the data not settled. */
  isPolling: boolean;
  /** When the data was last received (ms since the epoch); 0 if never. */
  updatedAt: number;
}

/**
 * Polls a fetcher while it has subscribers and its data is not settled (see `isSettled`), with
 * backoff on errors. Shared by every subscriber: one request per interval however many watch.
 */
export abstract class PollingObserver<TData> extends Subscribable<PollingState<TData>> {
  #options: PollingOptions<TData>;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight: Promise<TData | undefined> | undefined;
  #abort: AbortController | undefined;
  #removeVisibilityListener: (() => void) | undefined;

  constructor(options: PollingOptions<TData> & { initialData?: TData | undefined } = {}) {
    super({
      data: options.initialData,
      error: undefined,
      failureCount: 0,
      isFetching: false,
      isPolling: false,
      updatedAt: 0,
    });
    this.#options = options;
  }

  /** Performs one request. */
  protected abstract fetchData(signal: AbortSignal): Promise<TData>;

  /** Whether the data will never change again (polling stops). Default: never. */
  protected isSettled(_data: TData): boolean {
    return false;
  }

  /**
   * Changes the polling options (the observer is shared: the last caller wins; `undefined`
   * values keep the current ones). Takes effect from the next poll.
   */
  setOptions(options: PollingOptions<TData>): void {
    const previous = this.#options;
    const defined = Object.entries(options).filter(([, value]) => value !== undefined);
    this.#options = { ...this.#options, ...Object.fromEntries(defined) };
    if (previous.pauseWhenHidden !== this.#options.pauseWhenHidden && this.isActive) {
      this.#watchVisibility();
      this.#reschedule(0);
    }
  }

  /**
   * Sets the data when nothing was received yet (e.g. data rendered on the server); does nothing
   * once there is data. Safe to call while a UI framework renders: the subscribers are told in a
   * microtask, not during the call.
   */
  setInitialData(data: TData): void {
    if (this.snapshot.data !== undefined) return;
    this.snapshot = { ...this.snapshot, data };
    // A promise rather than queueMicrotask: fake timers never hold it back.
    void Promise.resolve().then(() => this.notify());
  }

  /**
   * Records data received elsewhere, as if a poll had answered it, and plans the next poll.
   * Ignored once the data settled, unless `force`.
   */
  protected acceptData(data: TData, force = false): void {
    const current = this.snapshot.data;
    if (!force && current !== undefined && this.isSettled(current)) return;
    this.setSnapshot({ data: keepEqualParts(current, data), error: undefined, failureCount: 0, updatedAt: Date.now() });
    if (this.isActive && !this.#inFlight) this.#reschedule();
  }

  /**
   * Requests now (joining a request already in flight). Resolves with the new data, or
   * `undefined` when the request failed (the error is in the snapshot) or was cancelled.
   */
  refetch = (): Promise<TData | undefined> => {
    if (this.#inFlight) return this.#inFlight;
    this.#clearTimer();
    return this.#fetch();
  };

  /**
   * Tries again after errors: forgets the error backoff (`failureCount` back to 0), requests now
   * (joining a request already in flight) and, while watched, goes on polling at the plain
   * interval. Resolves like `refetch`. The error stays in the snapshot until a request succeeds.
   */
  retry = (): Promise<TData | undefined> => {
    this.setSnapshot({ failureCount: 0 });
    return this.refetch();
  };

  protected override onActivate(): void {
    this.#watchVisibility();
    const { data } = this.snapshot;
    if (data !== undefined && this.isSettled(data)) return;
    this.#reschedule(0);
  }

  protected override onDeactivate(): void {
    this.#clearTimer();
    this.#abort?.abort();
    this.#abort = undefined;
    this.#inFlight = undefined;
    this.#removeVisibilityListener?.();
    this.#removeVisibilityListener = undefined;
    this.setSnapshot({ isPolling: false, isFetching: false });
  }

  #fetch(): Promise<TData | undefined> {
    const abort = new AbortController();
    this.#abort = abort;
    this.setSnapshot({ isFetching: true });
    const request = (async (): Promise<TData | undefined> => {
      try {
        const answer = await this.fetchData(abort.signal);
        if (abort.signal.aborted) return undefined;
        const current = this.snapshot.data;
        // Once settled, nothing changes: an answer that was overtaken (e.g. by `stop`) is stale.
        if (current !== undefined && this.isSettled(current)) return current;
        // An unchanged answer (a 304, or equal JSON from a server without ETags) is the same data
        // object, and a changed list keeps its unchanged items.
        const data = keepEqualParts(current, answer);
        // One change per answer: the data and the end of the request together (subscribers are
        // told once).
        this.setSnapshot({ data, error: undefined, failureCount: 0, updatedAt: Date.now(), ...this.#ended(abort) });
        return data;
      } catch (error) {
        if (abort.signal.aborted) return undefined;
        this.setSnapshot({ error, failureCount: this.snapshot.failureCount + 1, ...this.#ended(abort) });
        return undefined;
      } finally {
        if (this.#abort === abort) {
          this.#abort = undefined;
          this.#inFlight = undefined;
          this.setSnapshot({ isFetching: false });
          this.#reschedule();
        }
      }
    })();
    this.#inFlight = request;
    return request;
  }

  /** `isFetching: false` when `abort`'s request is the current one (it is ending). */
  #ended(abort: AbortController): Partial<PollingState<TData>> {
    return this.#abort === abort ? { isFetching: false } : {};
  }

  /** Plans the next poll: after `delayMs`, or after the interval (with backoff) when omitted. */
  #reschedule(delayMs?: number): void {
    this.#clearTimer();
    const { data, failureCount } = this.snapshot;
    const settled = data !== undefined && this.isSettled(data);
    const delay = delayMs ?? this.#nextDelay(data, failureCount);
    // A delay beyond what setTimeout can count (`Infinity` included) would fire at once: no polling.
    const polling =
      this.isActive && !settled && delay !== false && delay <= LONGEST_TIMER_MS && !this.#isPausedByVisibility();
    this.setSnapshot({ isPolling: polling });
    if (!polling || this.#inFlight) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#fetch();
    }, delay);
  }

  #nextDelay(data: TData | undefined, failureCount: number): number | false {
    const option = this.#options.intervalMs ?? defaultPollIntervalMs;
    const interval = typeof option === 'function' ? option(data) : option;
    if (interval === false || failureCount === 0) return interval;
    // The interval doubled per further consecutive error, capped, but never faster than the
    // interval (an interval of 0 doubles from 1 ms, so a failing request is not retried in a loop).
    const doubled = Math.max(interval, 1) * 2 ** (failureCount - 1);
    const backoff = Math.min(doubled, this.#options.maxBackoffMs ?? defaultMaxBackoffMs);
    return Math.max(interval, backoff);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #isPausedByVisibility(): boolean {
    return (
      this.#options.pauseWhenHidden === true && typeof document !== 'undefined' && document.visibilityState === 'hidden'
    );
  }

  #watchVisibility(): void {
    this.#removeVisibilityListener?.();
    this.#removeVisibilityListener = undefined;
    if (!this.#options.pauseWhenHidden || typeof document === 'undefined') return;
    const onChange = () => {
      if (!this.isActive) return;
      if (this.#isPausedByVisibility()) this.#reschedule();
      else if (!this.#inFlight && this.#timer === undefined) this.#reschedule(0);
    };
    const target = document;
    target.addEventListener('visibilitychange', onChange);
    this.#removeVisibilityListener = () => target.removeEventListener('visibilitychange', onChange);
  }
}
