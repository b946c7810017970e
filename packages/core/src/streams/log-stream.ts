/**
 * A process's output as records delivered exactly once, across any number of reconnects.
 */
import type { HttpError } from '../errors/http-errors.js';
import { StreamError } from '../errors/transport-errors.js';
import { isProcessFinished } from '../client/normalize-process.js';
import { backoffDelay, sleep } from '../client/sleep.js';
import type { LogRecord } from '../types.js';
import { createKeepaliveWatchdog, type KeepaliveWatchdog } from './keepalive-watchdog.js';
import { LogLineParser, type ParsedLogLine } from './log-line-parser.js';
import type { LogStreamOptions, LogStreamSource, LogStreamState } from './log-stream-options.js';
import { readLineBatches } from './read-lines.js';

/**
 * Follows `GET /process/{id}/logs/stream`. Use it as an async iterable (one iterator, started in
 * the same tick as the stream), with callbacks, or both. Resumes from its cursor after a dropped
 * connection: with `?since=` where the server answers `X-Log-Offset`, otherwise by skipping the
 * records it already delivered. When the body ends it asks the server whether the process is over
 * (a process that still runs, or will restart, is followed further).
 */
export class LogStream implements AsyncIterable<LogRecord> {
  /** Resolves when the output is over or after `close()`; rejects on a fatal error or abort. */
  readonly done: Promise<void>;
  readonly #source: LogStreamSource;
  readonly #options: LogStreamOptions;
  readonly #controller = new AbortController();
  /** Aborts the current connection (`close()`, or the keepalive watchdog). */
  #connection = new AbortController();
  readonly #highWaterMark: number;
  #state: LogStreamState = 'connecting';
  #delivered: number;
  #queue: LogRecord[] = [];
  #iterating = false;
  #finished = false;
  #error: unknown;
  #wake: (() => void) | undefined;
  #drained: (() => void) | undefined;

  constructor(source: LogStreamSource, options: LogStreamOptions = {}) {
    this.#source = source;
    this.#options = options;
    this.#delivered = options.since ?? 0;
    this.#highWaterMark = options.highWaterMark ?? 1000;
    options.onStateChange?.('connecting');
    this.done = this.#run();
    this.done.catch(() => {});
  }

  /** The current state (see {@link LogStreamState}). */
  get state(): LogStreamState {
    return this.#state;
  }

  /** Records delivered so far, counting `since`: the index of the next record (the cursor). */
  get delivered(): number {
    return this.#delivered;
  }

  /** Stops the stream now; `done` resolves and the iterator finishes. */
  close(): void {
    this.#controller.abort();
    this.#connection.abort();
    this.#drained?.();
  }

  #setState(state: LogStreamState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#options.onStateChange?.(state);
  }

  #finish(state: LogStreamState, error?: unknown): void {
    this.#finished = true;
    this.#error = error;
    this.#setState(state);
    this.#wake?.();
  }

  async #run(): Promise<void> {
    const signal = this.#controller.signal;
    const userSignal = this.#options.signal;
    const onAbort = () => this.close();
    if (userSignal?.aborted) onAbort();
    userSignal?.addEventListener('abort', onAbort, { once: true });
    const reconnect = this.#options.reconnect === false ? { maxAttempts: 0 } : (this.#options.reconnect ?? {});
    const maxAttempts = reconnect.maxAttempts ?? 8;
    let attempt = 0;
    let lastError: unknown;
    try {
      for (;;) {
        if (attempt > 0) {
          if (attempt > maxAttempts) {
            throw new StreamError(this.#source.processId, `lost after ${maxAttempts} attempts`, { cause: lastError });
          }
          this.#setState('reconnecting');
          // A busy server's Retry-After (408, 429, 503) replaces the backoff, within the same upper bound.
          const maxDelayMs = reconnect.maxDelayMs ?? 5000;
          const delayMs = (lastError as HttpError | undefined)?.retryAfterMs ?? backoffDelay(attempt, reconnect.initialDelayMs ?? 250, maxDelayMs);
          await sleep(Math.min(delayMs, maxDelayMs), signal);
        }
        let progressed = false;
        try {
          if (await this.#connect(signal, () => (progressed = true))) break;
          lastError = undefined;
        } catch (error) {
          // Answers like 404 or 401 end the stream, and so does a callback that threw (the stream
          // is finished then); network errors, dead connections, 5xx, 408 and 429 (busy) are retried.
          const status = (error as HttpError | undefined)?.status ?? 500;
          if (signal.aborted || this.#finished || (status < 500 && status !== 408 && status !== 429)) throw error;
          lastError = error;
        }
        attempt = progressed ? 1 : attempt + 1;
      }
      this.#finish('ended');
    } catch (error) {
      if (!signal.aborted) {
        this.#finish('error', error);
        throw error;
      }
      this.#finish('ended', userSignal?.aborted ? userSignal.reason : undefined);
      if (userSignal?.aborted) throw userSignal.reason;
    } finally {
      userSignal?.removeEventListener('abort', onAbort);
    }
  }

  /** One connection. Resolves `true` when the process is over, `false` to reconnect. */
  async #connect(signal: AbortSignal, onProgress: () => void): Promise<boolean> {
    const connection = (this.#connection = new AbortController());
    if (signal.aborted) connection.abort();
    // A dead connection: aborting the fetch fails the read below, which reconnects.
    const watchdog = createKeepaliveWatchdog(this.#options.keepaliveTimeoutMs ?? 65_000, () => connection.abort());
    try {
      watchdog.touch(); // also bounds the wait for the response headers
      const response = await this.#source.open(this.#delivered, connection.signal);
      const offset = response.headers.get('x-log-offset');
      let index = offset === null ? 0 : Number(offset);
      const skip = (to: number) => {
        if (to > this.#delivered) this.#options.onGap?.({ from: this.#delivered, to });
        this.#delivered = Math.max(this.#delivered, to);
      };
      // Gap notices count from the reader's position: `since` first, then after each record.
      let position = this.#delivered;
      skip(index);
      this.#setState('streaming');
      watchdog.touch();
      const parser = new LogLineParser(offset !== null);
      // The real server ends a stream at a restart, and shows the process `failed` until it restarts.
      let restartAnnounced = false;
      const onChunk = () => {
        watchdog.touch();
        onProgress();
      };
      const deliverParsed = async (parsedLines: ParsedLogLine[]) => {
        for (const parsed of parsedLines) {
          restartAnnounced = offset === null && parsed.type === 'notice' && parsed.text.includes('restart');
          if (parsed.type === 'notice') {
            // The local server tells a slow reader that records were dropped (log capped).
            const dropped = /^\[Output truncated: (\d+)/.exec(parsed.text);
            if (dropped && offset !== null) skip((index = Math.max(index, position + Number(dropped[1]))));
            else if (index >= this.#delivered) this.#options.onNotice?.(parsed.text);
          } else if ((position = ++index) > this.#delivered) {
            this.#delivered = index;
            // Waits only at the high-water mark, for the reader to catch up.
            if (this.#deliver({ stream: parsed.stream, text: parsed.text, index: index - 1 })) {
              await this.#drain(watchdog);
            }
          }
        }
      };
      const handle = async (lines: string[]) => {
        for (const line of lines) {
          await deliverParsed(parser.parse(line));
          if (signal.aborted) signal.throwIfAborted();
        }
      };
      // A body can end normally in the middle of a line (an intermediary closing it cleanly): that
      // unterminated tail is delivered only if the process is over; otherwise the next connection
      // (its replay, or `since`) brings the whole line.
      let tail = '';
      for await (const lines of readLineBatches(response.body ?? new ReadableStream(), onChunk, (line) => (tail = line))) {
        await handle(lines);
      }
      let current = await this.#source.get(signal);
      // After a restart notice the real server shows the process `failed` until it restarts (1 s later): wait for the new run, 3 s at most.
      for (let polls = restartAnnounced ? 30 : 0; polls > 0 && current.status === 'failed'; polls--) {
        await sleep(100, signal);
        const next = await this.#source.get(signal);
        if (next.status !== 'failed' || next.startedAt?.getTime() !== current.startedAt?.getTime()) current = next;
      }
      const finished = isProcessFinished(current);
      if (finished && tail) await handle([tail]);
      if (finished) await deliverParsed(parser.end());
      return finished;
    } finally {
      watchdog.stop();
    }
  }

  /** Hands a record to the callback and the iterator's queue; `true` when the queue is full. */
  #deliver(record: LogRecord): boolean {
    try {
      this.#options.onRecord?.(record);
    } catch (error) {
      this.#finish('error', error);
      throw error;
    }
    if (!this.#iterating) return false;
    this.#queue.push(record);
    this.#wake?.();
    this.#wake = undefined;
    return this.#queue.length >= this.#highWaterMark;
  }

  /** Waits until the iterator takes a record (or `close()`), with the watchdog paused meanwhile. */
  async #drain(watchdog: KeepaliveWatchdog): Promise<void> {
    watchdog.stop();
    await new Promise<void>((resolve) => (this.#drained = resolve));
    watchdog.touch();
  }

  [Symbol.asyncIterator](): AsyncIterator<LogRecord> {
    this.#iterating = true;
    // Not an async function: a record already queued costs one resolved promise, no more.
    const next = (): Promise<IteratorResult<LogRecord, undefined>> => {
      const record = this.#queue.shift();
      if (record) {
        // A full queue lets the connection go on once half of it is read (not after every record).
        if (this.#queue.length <= this.#highWaterMark >> 1) this.#drained?.();
        return Promise.resolve({ value: record, done: false });
      }
      if (this.#finished) {
        return this.#error === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(this.#error);
      }
      return new Promise<void>((resolve) => (this.#wake = resolve)).then(next);
    };
    return { next, return: async () => (this.close(), { value: undefined, done: true }) };
  }
}
