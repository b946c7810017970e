import { StringDecoder } from 'node:string_decoder';

/** Which pipe an output record came from. */
export type OutputStream = 'stdout' | 'stderr';

/** One retained entry: an output record (a line, or a read chunk in strict mode) or a notice. */
export interface LogEntry {
  /** Position among every entry ever appended to this log (records and notices). */
  readonly sequence: number;
  /** Position among output records only, or `null` for a notice. */
  readonly recordIndex: number | null;
  /** The pipe of an output record, `null` for a notice. */
  readonly stream: OutputStream | null;
  /** A line without its newline, a raw chunk (strict mode), or the notice text. */
  readonly text: string;
  /** When the server read the record (or added the notice), in milliseconds since the epoch. */
  readonly time: number;
  /** A notice that is also part of the stdout text (restart notices, as on the real server). */
  readonly inStdout?: boolean;
}

/** Options of an {@link OutputLog}. */
export interface OutputLogOptions {
  /** Retained size budget, in bytes (UTF-16 size of the text plus a per-entry overhead, timestamp included). */
  memoryBytes: number;
  /** Keep read chunks as records (strict mode) instead of splitting lines. */
  chunkRecords: boolean;
  /** A line longer than this many characters is cut into several records. Default 65536. */
  maxLineLength?: number;
}

/** Accounted size of an entry besides its text: the object, its fields and its 8-byte timestamp. */
const ENTRY_OVERHEAD_BYTES = 72;
const STREAMS: readonly OutputStream[] = ['stdout', 'stderr'];

/**
 * The output of one process (across its restarts): records in the order they were read,
 * interleaved with notices, within a fixed memory budget (the oldest entries are dropped first).
 */
export class OutputLog {
  readonly #options: Required<OutputLogOptions>;
  #entries: LogEntry[] = [];
  #start = 0;
  #nextSequence = 0;
  #nextRecordIndex = 0;
  #retainedBytes = 0;
  #ended = false;
  readonly #partial: Record<OutputStream, string> = { stdout: '', stderr: '' };
  #decoders: Record<OutputStream, StringDecoder> = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  readonly #listeners = new Set<() => void>();

  constructor(options: OutputLogOptions) {
    this.#options = { maxLineLength: 65_536, ...options };
  }

  /** Appends bytes read from a pipe. */
  write(stream: OutputStream, chunk: Buffer): void {
    const text = this.#decoders[stream].write(chunk);
    if (text.length === 0) return;
    if (this.#options.chunkRecords) {
      this.#append(stream, text);
    } else {
      this.#splitLines(stream, this.#partial[stream] + text);
    }
    this.#notify();
  }

  /** Turns the pending partial lines into records (called when a child exits). */
  flushPartialLines(): void {
    for (const stream of STREAMS) {
      const rest = this.#decoders[stream].end();
      this.#decoders[stream] = new StringDecoder('utf8');
      const pending = this.#partial[stream] + rest;
      this.#partial[stream] = '';
      if (pending.length > 0) this.#append(stream, pending);
    }
    this.#notify();
  }

  /**
   * Appends a bare notice line such as `[Process is being gracefully terminated]`. With `inStdout`,
   * the text fields (`stdout`, `logs`) show it too, as `\n<notice>\n` (the real server writes its
   * restart notices into the process's stdout).
   */
  notice(text: string, inStdout = false): void {
    this.#append(null, text, inStdout);
    this.#notify();
  }

  /** Marks the log complete: no more entries will come. */
  end(): void {
    if (this.#ended) return;
    this.flushPartialLines();
    this.#ended = true;
    this.#notify();
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Bytes currently retained (the figure the budget bounds). */
  get retainedBytes(): number {
    return this.#retainedBytes + 2 * (this.#partial.stdout.length + this.#partial.stderr.length);
  }

  /** Sequence number the next appended entry will get. */
  get nextSequence(): number {
    return this.#nextSequence;
  }

  /** Sequence of the oldest retained entry. */
  get firstRetainedSequence(): number {
    return this.#entries[this.#start]?.sequence ?? this.#nextSequence;
  }

  /** Index of the oldest retained record (or of the next record if none is retained). */
  get firstRetainedRecordIndex(): number {
    for (let position = this.#start; position < this.#entries.length; position++) {
      const entry = this.#entries[position];
      if (entry?.recordIndex !== null && entry !== undefined) return entry.recordIndex;
    }
    return this.#nextRecordIndex;
  }

  /**
   * Where a reader that already has the first `since` records starts: the sequence to read from
   * and the index of the first record it will get (`offset > since` when records were dropped).
   */
  cursorAfterRecords(since: number): { sequence: number; offset: number } {
    const firstRecord = this.firstRetainedRecordIndex;
    if (since <= firstRecord) return { sequence: this.firstRetainedSequence, offset: firstRecord };
    if (since >= this.#nextRecordIndex) return { sequence: this.#nextSequence, offset: since };
    for (let position = this.#start; position < this.#entries.length; position++) {
      const entry = this.#entries[position];
      if (entry?.recordIndex === since - 1) return { sequence: entry.sequence + 1, offset: since };
    }
    return { sequence: this.#nextSequence, offset: since };
  }

  /** Retained entries with `sequence >= fromSequence`, at most `limit` of them. */
  entriesFrom(fromSequence: number, limit: number): LogEntry[] {
    const first = Math.max(this.#start, this.#start + (fromSequence - this.firstRetainedSequence));
    return this.#entries.slice(first, Math.min(first + limit, this.#entries.length));
  }

  /** Drops every retained entry (keeps the counters). Returns the bytes freed. */
  discard(): number {
    const freed = this.#retainedBytes;
    this.#entries = [];
    this.#start = 0;
    this.#retainedBytes = 0;
    return freed;
  }

  /** Calls `listener` after every append and at the end. Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The retained text of one stream (pending partial line included), at most its last `maxBytes`
   * bytes in UTF-8 (never a split character).
   */
  streamText(stream: OutputStream, maxBytes = Number.POSITIVE_INFINITY): string {
    return this.#tail((entry) => entry.stream === stream || (stream === 'stdout' && entry.inStdout === true), maxBytes, this.#partial[stream]);
  }

  /** Both streams interleaved in read order (notices excluded unless `inStdout`), at most the last `maxBytes` UTF-8 bytes. */
  combinedText(maxBytes = Number.POSITIVE_INFINITY): string {
    const pending = this.#partial.stdout + this.#partial.stderr;
    return this.#tail((entry) => entry.stream !== null || entry.inStdout === true, maxBytes, pending);
  }

  #tail(include: (entry: LogEntry) => boolean, maxBytes: number, pending: string): string {
    const parts: string[] = [pending];
    const bounded = Number.isFinite(maxBytes);
    let size = bounded ? Buffer.byteLength(pending) : 0;
    const separator = this.#options.chunkRecords ? '' : '\n';
    for (let position = this.#entries.length - 1; position >= this.#start && size < maxBytes; position--) {
      const entry = this.#entries[position];
      if (entry === undefined || !include(entry)) continue;
      const piece = entry.inStdout === true ? `\n${entry.text}\n` : entry.text + separator;
      parts.push(piece);
      if (bounded) size += Buffer.byteLength(piece);
    }
    const text = parts.reverse().join('');
    return size > maxBytes ? utf8Tail(text, maxBytes) : text;
  }

  #splitLines(stream: OutputStream, text: string): void {
    let lineStart = 0;
    let newline = text.indexOf('\n', lineStart);
    while (newline !== -1) {
      this.#appendLongLine(stream, text.slice(lineStart, newline));
      lineStart = newline + 1;
      newline = text.indexOf('\n', lineStart);
    }
    let rest = text.slice(lineStart);
    const max = this.#options.maxLineLength;
    while (rest.length > max) {
      this.#append(stream, rest.slice(0, max));
      rest = rest.slice(max);
    }
    this.#partial[stream] = rest;
  }

  #appendLongLine(stream: OutputStream, line: string): void {
    const max = this.#options.maxLineLength;
    let rest = line;
    while (rest.length > max) {
      this.#append(stream, rest.slice(0, max));
      rest = rest.slice(max);
    }
    this.#append(stream, rest);
  }

  #append(stream: OutputStream | null, text: string, inStdout = false): void {
    const recordIndex = stream === null ? null : this.#nextRecordIndex++;
    const entry: LogEntry = { sequence: this.#nextSequence++, recordIndex, stream, text, time: Date.now() };
    this.#entries.push(inStdout ? { ...entry, inStdout } : entry);
    this.#retainedBytes += text.length * 2 + ENTRY_OVERHEAD_BYTES;
    this.#enforceBudget();
  }

  #enforceBudget(): void {
    while (this.#retainedBytes > this.#options.memoryBytes && this.#start < this.#entries.length - 1) {
      const dropped = this.#entries[this.#start];
      this.#start++;
      if (dropped !== undefined) this.#retainedBytes -= dropped.text.length * 2 + ENTRY_OVERHEAD_BYTES;
    }
    if (this.#start > 4096 && this.#start * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#start);
      this.#start = 0;
    }
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}

/** The longest suffix of `text` whose UTF-8 encoding fits in `maxBytes`, cut between characters. */
function utf8Tail(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let start = bytes.length - maxBytes;
  while (start < bytes.length && ((bytes[start] ?? 0) & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString('utf8');
}
