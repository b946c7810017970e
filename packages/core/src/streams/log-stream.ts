/**
 * A process's output as records delivered exactly once, across any number of reconnects.
 */
import type { HttpError } from '../errors/http-errors.js';
import { refuseArgument } from '../errors/invalid-argument-error.js';
import { isRetryable } from '../errors/is-retryable.js';
import { StreamError } from '../errors/transport-errors.js';
import { isProcessFinished } from '../shared/normalize-process.js';
import { backoffDelay, sleep } from '../shared/sleep.js';
import type { LogRecord, LogStreamName } from '../types.js';
import { emptyTail, endsAsDelivered, noteDelivered, type DeliveredTail } from './delivered-tail.js';
import { createKeepaliveWatchdog } from './keepalive-watchdog.js';
import { LogLineParser, type ParsedLogLine } from './log-line-parser.js';
import type { LogStreamOptions, LogStreamSource, LogStreamState } from './log-stream-options.js';
import { readLineBatches } from './read-lines.js';

/** Texts of the last records a replaying server's stream keeps, to check its next replay by. */
const recentKept = 32;

/**
 * Follows `GET /process/{id}/logs/stream`. Use it as an async iterable (one iterator, started in
 * the same tick as the stream), with callbacks, or both. Resumes from its cursor after a dropped
 * connection: with `?since=` where the server answers `X-Log-Offset`, otherwise by skipping the
 * records it already delivered. When the body ends it asks the server whether the process is over
 * (a process that still runs, or will restart, is followed further).
 */
export class LogStream implements AsyncIterable<LogRecord> {
  /** Resolves when the output is over or after `close()`; rejects on a fatal error or abort. */
  declare readonly done: Promise<void>;
  readonly #source: LogStreamSource;
  readonly #options: LogStreamOptions;
  readonly #controller = new AbortController();
  /** Aborts the current connection (`close()`, or the keepalive watchdog). */
  #connection = new AbortController();
  #state: LogStreamState = 'connecting';
  #delivered: number;
  /**
   * With an iterator, lines are read in its own steps (records made as it asks for them, none kept
   * waiting): the lines of the last chunk, the next one's position, and how to read one.
   */
  #lines: string[] = [];
  #lineIndex = 0;
  #readLine: ((line: string) => LogRecord | undefined) | undefined;
  /** Records delivered but not yet taken by the iterator (a line that gave two, or the parser's end). */
  readonly #queued: LogRecord[] = [];
  #iterating = false;
  #finished = false;
  /** The process was seen over: the next connection is the reconciling replay. */
  #over = false;
  /** The end of what was delivered on each output stream (see `endsAsDelivered`). */
  readonly #tails: Record<LogStreamName, DeliveredTail> = { stdout: emptyTail(), stderr: emptyTail() };
  #error: unknown;
  /** The texts of the last records delivered by a server that replays (at most `recentKept`), to check a replay by. */
  readonly #recent: string[] = [];
  /** Indexes `j` of records `j` and `j + 1` that the replaying server sent as one line split in two, and sends whole since. */
  readonly #joins = new Set<number>();
  #wake: (() => void) | undefined;
  #drained: (() => void) | undefined;

  constructor(source: LogStreamSource, options: LogStreamOptions = {}) {
    this.#source = source;
    this.#options = options;
    this.#delivered = options.since ?? 0;
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
    this.#wakeIterator();
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
      const since = this.#delivered;
      if (!(Number.isSafeInteger(since) && since >= 0)) refuseArgument('since', 'a whole number of records ≥ 0', since);
      for (;;) {
        if (attempt > 0) {
          if (attempt > maxAttempts) {
            throw new StreamError({
              processId: this.#source.processId,
              message: `lost after ${maxAttempts} attempts`,
              cause: lastError,
            });
          }
          this.#setState('reconnecting');
          // A busy server's Retry-After (408, 429, 503) replaces the backoff, within the same upper bound.
          const maxDelayMs = reconnect.maxDelayMs ?? 5000;
          const delayMs =
            (lastError as HttpError | undefined)?.retryAfterMs ??
            backoffDelay(attempt, reconnect.initialDelayMs ?? 250, maxDelayMs);
          await sleep(Math.min(delayMs, maxDelayMs), signal);
        }
        let progressed = false;
        const over = this.#over;
        try {
          if (await this.#connect(signal, () => (progressed = true))) break;
          lastError = undefined;
          // Seen over just now: reconcile at once (no backoff, no state change).
          if (!over && this.#over) {
            attempt = 0;
            continue;
          }
        } catch (error) {
          // Answers like 404 or 401 end the stream, and so does a callback that threw (the stream
          // is finished then); what `isRetryable` accepts (network errors, dead connections, 408,
          // 429, 500, 502–504) is retried.
          if (signal.aborted || this.#finished || !isRetryable(error)) throw error;
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

  /**
   * One connection. Resolves `true` when the output is over, `false` to reconnect. A body that ends
   * cleanly while the process is over may still have been cut by an intermediary before the last
   * output: unless this connection was opened once the process was over (a replay, or `since`, of a
   * finished process), the stream reconciles once with such a connection before it ends.
   */
  async #connect(signal: AbortSignal, onProgress: () => void): Promise<boolean> {
    const connection = new AbortController();
    this.#connection = connection;
    if (signal.aborted) connection.abort();
    // A dead connection: aborting the fetch fails the read below, which reconnects.
    const watchdog = createKeepaliveWatchdog(this.#options.keepaliveTimeoutMs ?? 65_000, () => connection.abort());
    try {
      watchdog.touch(); // also bounds the wait for the response headers
      const response = await this.#source.open(this.#delivered, connection.signal);
      // Opened after the process was over: this body, if it ends cleanly, is the whole rest.
      const known = this.#source.known?.();
      const replay = this.#over || (known !== undefined && isProcessFinished(known));
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
      // Progress is what this connection brings beyond the cursor: a new record, or any chunk once
      // it caught up (a keepalive). A replay cut before it passes the cursor is no progress, so a
      // connection cut at the same place every time fails the stream after `maxAttempts`, never loops.
      const onChunk = () => {
        watchdog.touch();
        if (index >= this.#delivered) onProgress();
      };
      const readRecord = (stream: LogStreamName, text: string): LogRecord | undefined => {
        // A replay (no `X-Log-Offset`) counts from the start: a line the server split before is one record now.
        if (offset === null && index < this.#delivered) {
          if (this.#joins.has(index)) {
            index += 2;
            position = index;
            return undefined;
          }
          const realigned = this.#realign(index, text);
          index = realigned[0];
          if (realigned[1] === undefined) {
            position = index;
            return undefined;
          }
          text = realigned[1];
        }
        index++;
        position = index;
        if (index > this.#delivered) {
          onProgress();
          this.#delivered = index;
          if (offset === null) {
            const recent = this.#recent;
            if (recent.push(text) > recentKept) recent.shift();
          }
          return this.#deliver({ stream, text, index: index - 1 });
        }
      };
      /** Delivers what the parser gave; returns the first record (the iterator gets the others queued). */
      const readParsed = (parsedLines: ParsedLogLine[]): LogRecord | undefined => {
        let first: LogRecord | undefined;
        for (const parsed of parsedLines) {
          restartAnnounced = offset === null && parsed.type === 'notice' && parsed.text.includes('restart');
          if (parsed.type === 'notice') {
            // The local server tells a slow reader that records were dropped (log capped).
            const dropped = /^\[Output truncated: (\d+)/.exec(parsed.text);
            if (dropped && offset !== null) {
              index = Math.max(index, position + Number(dropped[1]));
              skip(index);
            } else if (index >= this.#delivered) this.#options.onNotice?.(parsed.text);
            continue;
          }
          const record = readRecord(parsed.stream, parsed.text);
          if (first === undefined) first = record;
          else if (record && this.#iterating) this.#queued.push(record);
        }
        return first;
      };
      /** Reads one line; returns the first record it delivered, if any. */
      const readLine = (line: string): LogRecord | undefined => {
        // Every line prefixed (extended servers): the common case, read without the parser (and
        // without `startsWith`, several times slower than comparing the prefix).
        const prefix = line.slice(0, 7);
        return offset !== null && (prefix === 'stdout:' || prefix === 'stderr:')
          ? readRecord(prefix === 'stdout:' ? 'stdout' : 'stderr', line.slice(7))
          : readParsed(parser.parse(line));
      };
      /** The output is over: an empty line the parser held back is output after all. */
      const endOutput = () => {
        const record = readParsed(parser.end());
        if (record && this.#iterating) {
          this.#queued.push(record);
          this.#wakeIterator();
        }
      };
      const handle = async (lines: string[]) => {
        if (this.#iterating) {
          // The iterator reads these lines as it goes: reading pauses (and the watchdog with it)
          // until it has taken them all, or `close()`.
          this.#lines = lines;
          this.#lineIndex = 0;
          this.#readLine = readLine;
          this.#wakeIterator();
          watchdog.stop();
          await new Promise<void>((resolve) => (this.#drained = resolve));
          watchdog.touch();
          if (this.#finished) throw this.#error;
        } else {
          for (const line of lines) readLine(line);
        }
        if (signal.aborted) signal.throwIfAborted();
      };
      // A body can end normally in the middle of a line (an intermediary closing it cleanly): that
      // unterminated tail is delivered only by a replay of the finished process; otherwise the next
      // connection (its replay, or `since`) brings the whole line.
      let tail = '';
      for await (const lines of readLineBatches(
        response.body ?? new ReadableStream(),
        onChunk,
        (line) => (tail = line),
      )) {
        await handle(lines);
      }
      if (replay) {
        if (tail) await handle([tail]);
        endOutput();
        return true;
      }
      // Over, and the inline output ends as delivered: nothing was missed. Over otherwise: reconcile.
      let process = await this.#source.get(signal);
      // After a restart notice the real server shows the process `failed` until it restarts (1 s later): wait for the new run, 3 s at most.
      for (let polls = restartAnnounced ? 30 : 0; polls > 0 && process.status === 'failed'; polls--) {
        await sleep(100, signal);
        const next = await this.#source.get(signal);
        if (next.status !== 'failed' || next.startedAt?.getTime() !== process.startedAt?.getTime()) process = next;
      }
      if (!isProcessFinished(process)) return false;
      this.#over = true;
      endOutput();
      return endsAsDelivered(process, this.#tails, this.#delivered);
    } finally {
      watchdog.stop();
    }
  }

  /**
   * A replayed record at `index` (counted, below the cursor) checked against the texts delivered
   * last. The real server ends its backlog in the middle of a line if its log does, and sends the
   * rest as a line of its own; its later replays send that line whole: one record fewer than
   * counted. Found here (the whole line is two records joined, the replay is records ahead, or the
   * last record delivered is the start of a longer line), the join is noted (`#joins`) for this
   * replay and the next ones. Returns the index to count this record from, and its text, or
   * `undefined` when it was delivered (skipped).
   */
  #realign(index: number, text: string): [index: number, text: string | undefined] {
    const recent = this.#recent;
    const at = index - (this.#delivered - recent.length);
    const delivered = recent[at];
    const next = recent[at + 1];
    if (at < 0 || delivered === undefined || delivered === text) return [index, text];
    if (next !== undefined && text === delivered + next) {
      this.#joins.add(index);
      return [index + 2, undefined];
    }
    for (let ahead = 1; ahead <= 3 && at + ahead < recent.length; ahead++) {
      if (recent[at + ahead] === text) {
        // Split before the texts kept: noted just before this record.
        for (let before = 1; before <= ahead; before++) this.#joins.add(index - before);
        return [index + ahead, text];
      }
    }
    // The last record delivered began this line: the rest is new, as the live stream would have sent it.
    if (next === undefined && text.startsWith(delivered)) {
      this.#joins.add(index);
      return [index + 1, text.slice(delivered.length)];
    }
    return [index, text];
  }

  /** Hands a record to the callback and to the iterator. */
  #deliver(record: LogRecord): LogRecord {
    noteDelivered(this.#tails[record.stream], record.text);
    try {
      this.#options.onRecord?.(record);
    } catch (error) {
      this.#finish('error', error);
      throw error;
    }
    return record;
  }

  #wakeIterator(): void {
    this.#wake?.();
    this.#wake = undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<LogRecord> {
    this.#iterating = true;
    // Not an async function: a record at hand costs one resolved promise, no more.
    const next = (): Promise<IteratorResult<LogRecord, undefined>> => {
      const queued = this.#queued.shift();
      if (queued) return Promise.resolve({ value: queued, done: false });
      const lines = this.#lines;
      while (!this.#finished && this.#lineIndex < lines.length) {
        let record: LogRecord | undefined;
        const line = lines[this.#lineIndex++];
        try {
          // `handle` sets `#lines` and `#readLine` together: a line in range has its reader.
          if (line !== undefined && this.#readLine) record = this.#readLine(line);
        } catch (error) {
          // A callback threw: the stream is over (the reading side stops on it).
          if (!this.#finished) this.#finish('error', error);
        }
        if (record) return Promise.resolve({ value: record, done: false });
      }
      if (this.#queued.length > 0) return next();
      // Every line read: the connection goes on.
      this.#drained?.();
      if (this.#finished) {
        return this.#error === undefined
          ? Promise.resolve({ value: undefined, done: true })
          : Promise.reject(this.#error);
      }
      return new Promise<void>((resolve) => (this.#wake = resolve)).then(next);
    };
    return {
      next,
      return: async () => {
        this.close();
        return { value: undefined, done: true };
      },
    };
  }
}
