import { defaultMaxLines } from '../constants.js';
import { NotFoundError } from '../errors/index.js';
import type { LogRecord, ProcessInfo } from '../types.js';
import { createNotifyScheduler, type NotifyScheduler, type NotifySchedulerOptions } from './notify-scheduler.js';
import type { ObservableLogStream, ObservableProcessApi } from './observed-client.js';
import { LineBuffer } from './line-buffer.js';
import { isPinnedProcess } from './process-pin.js';
import { Subscribable } from './subscribable.js';

/**
 * State of a logs observer:
 * - `idle`: no stream open (nobody watching yet, or everyone left before the output ended);
 * - `connecting` / `streaming` / `reconnecting`: as the client's stream reports;
 * - `ended`: the process's output ended and every line was received;
 * - `error`: the stream failed for good (see `error`); `reconnect()` (or watching again) resumes
 *   from the cursor.
 */
export type LogsStatus = 'idle' | 'connecting' | 'streaming' | 'reconnecting' | 'ended' | 'error';

/** Options of a {@link LogsObserver}. */
export interface LogsObserverOptions extends NotifySchedulerOptions {
  /**
   * Lines kept; the oldest are dropped beyond it (and counted in `dropped`). Default 10000.
   * Receiving lines costs only the lines received; each `getSnapshot()` after a change copies the
   * lines kept once (at most once per notification window).
   */
  maxLines?: number | undefined;
}

/** Snapshot of a {@link LogsObserver}. */
export interface LogsState {
  /** The buffered lines of both streams, in output order, each with its stream and index. */
  lines: readonly LogRecord[];
  status: LogsStatus;
  /** The error that ended the stream when `status` is `error`. */
  error: unknown;
  /** Lines no longer in `lines`: dropped by the `maxLines` bound or by the server's own cap. */
  dropped: number;
  /** Lines received since the observer was created or cleared (dropped ones included). */
  total: number;
}

/**
 * Follows the output of one process with a single stream shared by all subscribers. Lines are
 * buffered (bounded by `maxLines`) and subscribers are notified at most once per batch window
 * (an animation frame, or `notifyIntervalMs`). The stream opens when the first subscriber comes,
 * closes when the last one leaves, and resumes from its cursor (the index of the next line) when
 * watched again, so no line is lost or repeated. Each stream it opens starts with a look-up of
 * the process (by name the first time, by pid from then on) that pins it: a later process given
 * the same name never feeds it, and when its pid now belongs to another process the observer
 * reports a `NotFoundError` instead of that process's lines. Get a shared one from an
 * `ObserverCache`.
 */
export class LogsObserver extends Subscribable<LogsState> {
  readonly #api: ObservableProcessApi;
  readonly #scheduler: NotifyScheduler;
  readonly #recordListeners = new Set<(record: LogRecord) => void>();
  /** The lines shown, as of the last flush. */
  readonly #lines: LineBuffer;
  /** `#lines` changed since the snapshot's `lines` array was built (it is built when read). */
  #linesChanged = false;
  /** Lines received since the last flush. */
  #pending: LogRecord[] = [];
  #pendingDropped = 0;
  #cursor = 0;
  #stream: ObservableLogStream | undefined;
  /** The look-up that opens the next stream, in flight (aborted when the observer is left). */
  #lookUp: AbortController | undefined;
  /** The process as last looked up: pinned at first contact. */
  #process: ProcessInfo | undefined;
  /** The process watched (pid or name). */
  readonly id: string;

  constructor(api: ObservableProcessApi, id: string, options: LogsObserverOptions = {}) {
    super({ lines: [], status: 'idle', error: undefined, dropped: 0, total: 0 });
    this.#api = api;
    this.id = id;
    this.#lines = new LineBuffer(Math.max(1, options.maxLines ?? defaultMaxLines));
    this.#scheduler = createNotifyScheduler(() => this.#flush(), options);
  }

  /**
   * The current state; the same object until something changes. Its `lines` array is built here,
   * on the first read after a change: receiving lines costs only the lines received, however
   * large `maxLines` is.
   */
  override getSnapshot = (): LogsState => {
    if (this.#linesChanged) {
      this.#linesChanged = false;
      this.snapshot = { ...this.snapshot, lines: this.#lines.toArray() };
    }
    return this.snapshot;
  };

  /** The index the next line will have: every line before it was received. */
  get cursor(): number {
    return this.#cursor;
  }

  /** The pid streamed, once the first look-up answered. */
  get pid(): string | undefined {
    return this.#process?.pid;
  }

  /** Whether the output ended: a look-up of a name now would find this process or a later one. */
  get isOver(): boolean {
    return this.snapshot.status === 'ended';
  }

  /** Raises the buffer bound to at least `maxLines` (the observer is shared: the largest wins). */
  setOptions(options: Pick<LogsObserverOptions, 'maxLines'>): void {
    if (options.maxLines !== undefined) this.#lines.maxLines = Math.max(this.#lines.maxLines, options.maxLines);
  }

  /**
   * Calls `listener` for every line as it arrives, before batching. Lines already buffered are
   * not replayed. Returns the function that removes it.
   */
  onRecord(listener: (record: LogRecord) => void): () => void {
    this.#recordListeners.add(listener);
    return () => this.#recordListeners.delete(listener);
  }

  /** Empties the buffer for every subscriber (the stream goes on). */
  clear = (): void => {
    this.#pending = [];
    this.#pendingDropped = 0;
    this.#lines.clear();
    this.#linesChanged = false;
    this.setSnapshot({ lines: [], dropped: 0, total: 0 });
  };

  /**
   * Opens the stream again, resuming from the cursor (no line lost or repeated): after it failed
   * (`status: 'error'`), or to replace a connection that seems stuck. While nobody watches, it
   * only goes back to `idle` (the next subscriber opens the stream). Does nothing once the
   * output ended.
   */
  reconnect = (): void => {
    if (this.snapshot.status === 'ended') return;
    this.#close();
    if (this.isActive) this.#open();
    else this.#setStatus('idle');
  };

  protected override onActivate(): void {
    const { status } = this.snapshot;
    if (status === 'ended' || this.#stream || this.#lookUp) return;
    this.#open();
  }

  protected override onDeactivate(): void {
    this.#close();
    this.#flush();
    if (this.snapshot.status !== 'ended' && this.snapshot.status !== 'error') this.#setStatus('idle');
  }

  #close(): void {
    const stream = this.#stream;
    this.#stream = undefined;
    stream?.close();
    this.#lookUp?.abort();
    this.#lookUp = undefined;
  }

  #open(): void {
    this.#setStatus('connecting');
    // The process as it is now, checked against the pin: the pid of a process that ended may
    // belong to another one by the time the stream opens again.
    const lookUp = new AbortController();
    this.#lookUp = lookUp;
    const pinned = this.#process;
    this.#api.get(pinned?.pid ?? this.id, { signal: lookUp.signal }).then(
      (process) => {
        if (this.#lookUp !== lookUp) return;
        this.#lookUp = undefined;
        if (pinned && !isPinnedProcess(pinned, process)) {
          this.#setStatus(
            'error',
            new NotFoundError({
              status: 404,
              message: `process ${pinned.pid} (${pinned.name}) is gone: its pid now belongs to ${process.name}`,
              processId: pinned.pid,
            }),
          );
          return;
        }
        this.#process = process;
        // Given the process, a stream of one that is over ends with its replay (no request after it).
        this.#openStream(process);
      },
      (error: unknown) => {
        if (this.#lookUp !== lookUp) return;
        this.#lookUp = undefined;
        this.#setStatus('error', error);
      },
    );
  }

  #openStream(process: ProcessInfo): void {
    let stream: ObservableLogStream;
    const isCurrent = () => this.#stream === stream;
    try {
      stream = this.#api.streamLogs(process, {
        since: this.#cursor,
        onRecord: (record) => {
          if (isCurrent()) this.#receive(record);
        },
        onStateChange: (state) => {
          // `ended` and `error` are settled by `done`, after the last line.
          if (isCurrent() && state !== 'ended' && state !== 'error') this.#setStatus(state);
        },
      });
    } catch (error) {
      this.#setStatus('error', error);
      return;
    }
    this.#stream = stream;
    stream.done.then(
      () => {
        if (!isCurrent()) return;
        this.#stream = undefined;
        this.#setStatus('ended');
      },
      (error: unknown) => {
        if (!isCurrent()) return;
        this.#stream = undefined;
        this.#setStatus('error', error);
      },
    );
  }

  #receive(record: LogRecord): void {
    // Nothing repeated: a record before the cursor was delivered already.
    if (record.index < this.#cursor) return;
    // A record after the cursor means the server no longer had the ones between.
    this.#pendingDropped += record.index - this.#cursor;
    this.#cursor = record.index + 1;
    this.#pending.push(record);
    if (this.#pending.length > this.#lines.maxLines * 2) {
      const excess = this.#pending.length - this.#lines.maxLines;
      this.#pending = this.#pending.slice(excess);
      this.#pendingDropped += excess;
    }
    // A copy only when there are listeners (one may remove itself while called).
    if (this.#recordListeners.size > 0) this.#callListeners(record);
    this.#scheduler.schedule();
  }

  #callListeners(record: LogRecord): void {
    for (const listener of [...this.#recordListeners]) {
      try {
        listener(record);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** The one place the status changes; `error` is kept only with `error`. */
  #setStatus(status: LogsStatus, error?: unknown): void {
    // Lines first, so a listener that sees `ended` has every line.
    this.#flush();
    this.setSnapshot({ status, error });
  }

  #flush(): void {
    this.#scheduler.cancel();
    const pending = this.#pending;
    if (pending.length === 0 && this.#pendingDropped === 0) return;
    this.#pending = [];
    const total = this.snapshot.total + pending.length + this.#pendingDropped;
    const dropped = this.snapshot.dropped + this.#pendingDropped + this.#lines.append(pending);
    this.#pendingDropped = 0;
    // `total` grew, so the snapshot is new; its `lines` are built when it is read.
    if (pending.length > 0) this.#linesChanged = true;
    this.setSnapshot({ dropped, total });
  }
}
