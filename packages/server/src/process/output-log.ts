import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { INDEX_ENTRY_BYTES, type IndexEntry, type LogBlock, type OutputStream } from './log-block.js';
import { BackwardEntryReader, readBlocks } from './log-reading.js';
import { LogSegment } from './log-segment.js';
import { RecentBlocks } from './recent-blocks.js';
import { countNewlines, hasLineLongerThan } from './count-lines.js';
import { completeUtf8Length, utf8CutAfter, utf8CutBefore } from './utf8-boundary.js';

export type { LogBlock, OutputStream } from './log-block.js';

/** Options of an {@link OutputLog}. */
export interface OutputLogOptions {
  /** Path prefix of the log's files: each segment is `<prefix>.<n>.data` plus `<prefix>.<n>.index`. */
  pathPrefix: string;
  /** Bytes kept on disk for this log (data plus index); past it the oldest segments are dropped. */
  maxBytes: number;
  /** Keep read chunks as records (strict mode) instead of splitting lines. */
  chunkRecords: boolean;
  /** A line longer than this many bytes is cut into several records (between characters). Default `65536`. */
  maxLineBytes?: number;
  /** Data bytes per segment file. Default: an eighth of `maxBytes`, within 512 bytes and 32 MiB. */
  segmentBytes?: number;
  /** Told of every change of the bytes the log holds on disk (negative when segments are dropped). */
  onSizeChange?: (deltaBytes: number) => void;
}

/** A pinned, consistent view of a log for one long read (the segments stay readable until released). */
export interface LogSnapshot {
  readonly segments: readonly LogSegment[];
  /** Number of the block after the last one of the view. */
  readonly endBlock: number;
  /** The pending partial line of each stream when the view was taken. */
  readonly partial: Readonly<Record<OutputStream, Buffer>>;
  release(): void;
}

const STREAMS: readonly OutputStream[] = ['stdout', 'stderr'];
const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);
const NEWLINE_BYTES = Buffer.from('\n');

/**
 * The output of one process (across its restarts) on disk: blocks of whole lines (or strict-mode
 * chunks) and notices in the order they were read, appended to segment files. Nothing per line is
 * created on the write path: a pipe read becomes one block (lines are counted, not split), and
 * readers cut lines when they read. The oldest segments are dropped past `maxBytes`; record
 * indexes keep counting, so a reader learns exactly how many records it missed.
 */
export class OutputLog {
  readonly #options: OutputLogOptions;
  readonly #maxLineBytes: number;
  readonly #segmentBytes: number;
  #segments: LogSegment[] = [];
  #segmentSerial = 0;
  #nextBlock = 0;
  #nextRecord = 0;
  readonly #lastOfStream: Record<OutputStream, number> = { stdout: -1, stderr: -1 };
  readonly #partial: Record<OutputStream, Buffer | undefined> = { stdout: undefined, stderr: undefined };
  #retainedBytes = 0;
  #revision = 0;
  #ended = false;
  #disposed = false;
  #writeFailed = false;
  /** Per stream: a failed write ended inside a line, whose rest is dropped when it comes. */
  readonly #insideLostLine: Record<OutputStream, boolean> = { stdout: false, stderr: false };
  /** The notice of output lost to a failed write, until it could be written itself. */
  #lostOutputNotice: string | undefined;
  /** Segments kept open during a {@link readSession}, with their release functions. */
  #session: Map<LogSegment, () => void> | undefined;
  readonly #listeners = new Set<() => void>();
  /** The blocks just appended, for caught-up readers (kept only while someone reads the log live). */
  readonly #recent = new RecentBlocks();

  constructor(options: OutputLogOptions) {
    this.#options = options;
    this.#maxLineBytes = options.maxLineBytes ?? 65_536;
    this.#segmentBytes =
      options.segmentBytes ?? Math.min(32 * 1024 * 1024, Math.max(512, Math.floor(options.maxBytes / 8)));
  }

  /** Appends bytes read from a pipe. */
  write(stream: OutputStream, chunk: Buffer): void {
    if (this.#disposed || this.#ended || chunk.length === 0) return;
    if (this.#options.chunkRecords) this.#guarded(() => this.#writeChunk(stream, chunk), stream);
    else {
      const data = this.#afterLostLine(stream, chunk);
      const written = data.length === 0 || this.#guarded(() => this.#writeLines(stream, data), stream);
      // A lost write that ended inside a line: the rest of that line is lost with it (see above).
      if (!written) this.#insideLostLine[stream] = data[data.length - 1] !== NEWLINE;
    }
    this.#revision++;
    this.#notify();
  }

  /**
   * `chunk` without the end of a line whose start was lost (a failed write ended inside it): the
   * lines after an `[Output lost: ...]` notice are whole lines, never the tail of a lost one.
   */
  #afterLostLine(stream: OutputStream, chunk: Buffer): Buffer {
    if (!this.#insideLostLine[stream]) return chunk;
    const newline = chunk.indexOf(NEWLINE);
    if (newline === -1) return EMPTY;
    this.#insideLostLine[stream] = false;
    return chunk.subarray(newline + 1);
  }

  /**
   * Turns the pending partial lines into records (called when a child exits). A last line the
   * command did not end keeps its bytes as written (no newline is added): readers that frame lines
   * end it themselves (see `block-text.ts`).
   */
  flushPartialLines(): void {
    if (this.#disposed) return;
    for (const stream of STREAMS) {
      const pending = this.#partial[stream];
      this.#partial[stream] = undefined;
      if (pending === undefined) continue;
      this.#guarded(() => this.#append(stream, pending, 1));
    }
    this.#notify();
  }

  /**
   * Appends a bare notice line such as `[Process is being gracefully terminated]`. With `inStdout`,
   * the text of stdout (and the combined text) shows it too, as `\n<notice>\n` (the real server
   * writes its restart notices into the process's stdout).
   */
  notice(text: string, inStdout = false): void {
    if (this.#disposed || this.#ended) return;
    this.#guarded(() => this.#append(null, Buffer.from(text), 0, inStdout));
    this.#notify();
  }

  /** Marks the log complete: no more blocks will come. */
  end(): void {
    if (this.#ended) return;
    this.flushPartialLines();
    this.#guarded(() => this.#segments.at(-1)?.seal());
    this.#ended = true;
    this.#revision++;
    this.#notify();
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Bytes currently held on disk (data plus index of the retained segments). */
  get retainedBytes(): number {
    return this.#retainedBytes;
  }

  /** Grows with every change a reader could see (appends, drops, the end). */
  get revision(): number {
    return this.#revision;
  }

  /** Number the next appended block will get. */
  get nextBlock(): number {
    return this.#nextBlock;
  }

  /** Index the next output record will get. */
  get nextRecordIndex(): number {
    return this.#nextRecord;
  }

  /** Number of the oldest retained block (or of the next block if none is retained). */
  get firstRetainedBlock(): number {
    return this.#segments[0]?.firstBlock ?? this.#nextBlock;
  }

  /** Index of the oldest retained record (or of the next record if none is retained). */
  get firstRetainedRecordIndex(): number {
    return this.#segments[0]?.firstRecord ?? this.#nextRecord;
  }

  /**
   * Where a reader that already has the first `since` records starts: the block to read from and
   * the index of the first record it will get (`offset > since` when records were dropped).
   * A binary search over the index of one segment.
   */
  cursorAfterRecords(since: number): { block: number; offset: number } {
    const first = this.firstRetainedRecordIndex;
    if (since <= first) return { block: this.firstRetainedBlock, offset: first };
    if (since >= this.#nextRecord) return { block: this.#nextBlock, offset: since };
    const segment = this.#segments.find((candidate) => since < candidate.endRecord);
    return { block: segment === undefined ? this.#nextBlock : segment.blockOfRecord(since), offset: since };
  }

  /**
   * Retained blocks from block `from`, about `maxBytes` of data (at least one block if any): the
   * blocks just appended from memory (a caught-up reader), older ones from disk. Their `data` is
   * valid until the next read of any log (a shared buffer): use or copy it at once.
   */
  readBlocks(from: number, maxBytes: number): LogBlock[] {
    if (from < this.firstRetainedBlock) return [];
    return this.#recent.read(from, maxBytes) ?? readBlocks(this.#segments, from, maxBytes);
  }

  /** Pins the retained segments for a long read (the caller must release the snapshot). */
  snapshot(): LogSnapshot {
    const segments = [...this.#segments];
    const releases = segments.map((segment) => segment.pin());
    return {
      segments,
      endBlock: this.#nextBlock,
      partial: { stdout: this.#partial.stdout ?? EMPTY, stderr: this.#partial.stderr ?? EMPTY },
      release: () => {
        for (const release of releases) release();
      },
    };
  }

  /** Drops the oldest segment (not the only one when `keepNewest`). Returns the bytes freed. */
  dropOldestSegment(keepNewest: boolean): number {
    if (this.#segments.length === 0 || (keepNewest && this.#segments.length === 1)) return 0;
    const freed = this.#dropFirst();
    this.#notify();
    return freed;
  }

  /** Drops every retained segment (keeps the counters). Returns the bytes freed. */
  discard(): number {
    this.#recent.clear();
    let freed = 0;
    while (this.#segments.length > 0) freed += this.#dropFirst();
    this.#notify();
    return freed;
  }

  /** Removes the log's files for good (the record is pruned or the server closes). */
  dispose(): void {
    if (this.#disposed) return;
    this.discard();
    this.#disposed = true;
    this.#ended = true;
    this.#partial.stdout = undefined;
    this.#partial.stderr = undefined;
    this.#notify();
    this.#listeners.clear();
  }

  /** Calls `listener` after every change and at the end. Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Runs `read` (calls of {@link streamText} and {@link combinedText}) with every segment it
   * touches kept open until it returns: several tails of a finished log then open each file once.
   */
  readSession<T>(read: () => T): T {
    if (this.#session !== undefined) return read();
    this.#session = new Map();
    try {
      return read();
    } finally {
      for (const release of this.#session.values()) release();
      this.#session = undefined;
    }
  }

  readonly #keepOpenForSession = (segment: LogSegment): void => {
    if (this.#session !== undefined && !this.#session.has(segment)) this.#session.set(segment, segment.pin());
  };

  /**
   * The retained text of one stream (pending partial line included), at most its last `maxBytes`
   * bytes in UTF-8 (never a split character). Walks the stream's blocks backwards.
   */
  streamText(stream: OutputStream, maxBytes: number): string {
    const reader = new BackwardEntryReader(this.#segments, this.#keepOpenForSession);
    const pending = this.#partial[stream] ?? EMPTY;
    const parts: Buffer[] = [pending.subarray(Math.max(0, pending.length - maxBytes))];
    let size = parts[0]?.length ?? 0;
    let number = this.#lastOfStream[stream];
    try {
      while (number >= 0 && size < maxBytes) {
        const found = reader.entry(number);
        if (found === undefined) break;
        const { segment, entry } = found;
        const piece = blockTail(segment, entry, maxBytes - size);
        parts.push(piece);
        size += piece.length;
        number = entry.previousOfStream;
      }
    } catch {
      /* files removed behind the server's back: what was read is all there is */
    }
    return tailText(parts.reverse());
  }

  /**
   * Both streams interleaved in read order (notices excluded, except those in stdout), at most the
   * last `maxBytes` UTF-8 bytes.
   */
  combinedText(maxBytes: number): string {
    const reader = new BackwardEntryReader(this.#segments, this.#keepOpenForSession);
    const pending = Buffer.concat([this.#partial.stdout ?? EMPTY, this.#partial.stderr ?? EMPTY]);
    const parts: Buffer[] = [pending.subarray(Math.max(0, pending.length - maxBytes))];
    let size = parts[0]?.length ?? 0;
    try {
      for (let number = this.#nextBlock - 1; number >= this.firstRetainedBlock && size < maxBytes; number--) {
        const found = reader.entry(number);
        if (found === undefined) break;
        const { segment, entry } = found;
        if (entry.stream === null && !entry.inStdout) continue;
        const piece = blockTail(segment, entry, maxBytes - size);
        parts.push(piece);
        size += piece.length;
      }
    } catch {
      /* files removed behind the server's back: what was read is all there is */
    }
    return tailText(parts.reverse());
  }

  #writeChunk(stream: OutputStream, chunk: Buffer): void {
    const pending = this.#partial[stream];
    const data = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
    const complete = completeUtf8Length(data);
    if (complete > 0) this.#append(stream, data.subarray(0, complete), 1);
    this.#partial[stream] = complete < data.length ? Buffer.from(data.subarray(complete)) : undefined;
  }

  #writeLines(stream: OutputStream, chunk: Buffer): void {
    const pending = this.#partial[stream];
    const data = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
    const lastNewline = data.lastIndexOf(NEWLINE);
    let rest = data;
    if (lastNewline >= 0) {
      for (const complete of this.#segmentSizedPieces(data.subarray(0, lastNewline + 1))) {
        if (hasLineLongerThan(complete, this.#maxLineBytes)) this.#appendWithCuts(stream, complete);
        else this.#append(stream, complete, countNewlines(complete));
      }
      rest = data.subarray(lastNewline + 1);
    }
    while (rest.length > this.#maxLineBytes) {
      // A piece of a long line is a record of its own, its bytes as written (no newline added).
      const cut = utf8CutBefore(rest, this.#maxLineBytes);
      this.#append(stream, rest.subarray(0, cut), 1);
      rest = rest.subarray(cut);
    }
    this.#partial[stream] = rest.length > 0 ? Buffer.from(rest) : undefined;
  }

  /**
   * Whole lines cut into pieces of at most a segment's size where a newline allows it, so that a
   * small cap still drops output in small steps (one pipe read can be larger than a segment).
   */
  #segmentSizedPieces(complete: Buffer): Buffer[] {
    if (complete.length <= this.#segmentBytes) return [complete];
    const pieces: Buffer[] = [];
    let start = 0;
    while (start < complete.length) {
      let end = complete.length;
      if (end - start > this.#segmentBytes) {
        const newline = complete.lastIndexOf(NEWLINE, start + this.#segmentBytes - 1);
        end = newline >= start ? newline + 1 : complete.indexOf(NEWLINE, start + this.#segmentBytes) + 1;
      }
      pieces.push(complete.subarray(start, end));
      start = end;
    }
    return pieces;
  }

  /**
   * Slow path for whole lines one of which is longer than the maximum: such a line is cut into
   * records, each piece a block of its own holding the bytes as written (no newline is added, so
   * the text of the stream stays exact); the lines around it stay together in blocks.
   */
  #appendWithCuts(stream: OutputStream, complete: Buffer): void {
    let runStart = 0;
    let runRecords = 0;
    let lineStart = 0;
    while (lineStart < complete.length) {
      const newline = complete.indexOf(NEWLINE, lineStart);
      if (newline - lineStart > this.#maxLineBytes) {
        if (runRecords > 0) this.#append(stream, complete.subarray(runStart, lineStart), runRecords);
        let start = lineStart;
        while (newline - start > this.#maxLineBytes) {
          const cut = utf8CutBefore(complete.subarray(start, newline), this.#maxLineBytes);
          this.#append(stream, complete.subarray(start, start + cut), 1);
          start += cut;
        }
        runStart = start;
        runRecords = 0;
      }
      runRecords++;
      lineStart = newline + 1;
    }
    if (runRecords > 0) this.#append(stream, complete.subarray(runStart), runRecords);
  }

  #append(stream: OutputStream | null, data: Buffer, recordCount: number, inStdout = false): void {
    const chain = stream ?? (inStdout ? 'stdout' : null);
    let segment = this.#segments.at(-1);
    if (segment === undefined || segment.dataBytes >= this.#segmentBytes) {
      segment?.seal();
      segment = this.#newSegment();
      this.#segments.push(segment);
    }
    const time = Date.now();
    segment.append(data, {
      time,
      firstRecord: this.#nextRecord,
      recordCount,
      // A notice in stdout joins the stdout chain, so that stdout tails walk through it.
      previousOfStream: chain === null ? -1 : this.#lastOfStream[chain],
      stream,
      inStdout,
    });
    if (chain !== null) this.#lastOfStream[chain] = this.#nextBlock;
    if (this.#listeners.size > 0) {
      this.#recent.add({
        number: this.#nextBlock,
        stream,
        time,
        firstRecord: this.#nextRecord,
        recordCount,
        inStdout,
        data,
      });
    }
    this.#nextBlock++;
    this.#nextRecord += recordCount;
    this.#resize(data.length + INDEX_ENTRY_BYTES);
    this.#revision++;
    while (this.#retainedBytes > this.#options.maxBytes && this.#segments.length > 1) this.#dropFirst();
  }

  /**
   * A new segment file. If its directory (the server's run directory) was removed behind the
   * server's back (a temporary-files cleaner), it is made again, private, and the output kept.
   */
  #newSegment(): LogSegment {
    const pathPrefix = `${this.#options.pathPrefix}.${this.#segmentSerial++}`;
    try {
      return new LogSegment(pathPrefix, this.#nextBlock, this.#nextRecord);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      mkdirSync(dirname(pathPrefix), { mode: 0o700 });
      return new LogSegment(pathPrefix, this.#nextBlock, this.#nextRecord);
    }
  }

  #dropFirst(): number {
    const segment = this.#segments.shift();
    if (segment === undefined) return 0;
    segment.drop();
    this.#resize(-segment.bytes);
    this.#revision++;
    return segment.bytes;
  }

  #resize(deltaBytes: number): void {
    this.#retainedBytes += deltaBytes;
    this.#options.onSizeChange?.(deltaBytes);
  }

  /**
   * Runs a write to disk. A failure (disk full, no descriptors left) loses that output but never
   * the server: the log says so once with a notice until a write works again. A notice that cannot
   * be written either (the disk is still full) is written before the next output that can be, so
   * it always stands where the output was lost. The pending start of a line of `stream` is lost
   * too (the rest of that line was in the lost output): it is never joined to what comes after.
   * Returns whether the write worked.
   */
  #guarded(write: () => void, stream?: OutputStream): boolean {
    try {
      this.#writeLostOutputNotice();
      write();
      this.#writeFailed = false;
      return true;
    } catch (error) {
      if (stream !== undefined) this.#partial[stream] = undefined;
      if (this.#writeFailed) return false;
      this.#writeFailed = true;
      this.#lostOutputNotice = `[Output lost: ${(error as Error).message}]`;
      try {
        this.#writeLostOutputNotice();
      } catch {
        /* written before the next output that can be */
      }
      return false;
    }
  }

  #writeLostOutputNotice(): void {
    if (this.#lostOutputNotice === undefined) return;
    this.#append(null, Buffer.from(this.#lostOutputNotice), 0);
    this.#lostOutputNotice = undefined;
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
    this.#recent.clearAfterReaders();
  }
}

/**
 * The last `maxBytes` (at most) of a block's bytes as its stream's text shows them: a notice in
 * stdout reads as `\n<notice>\n`.
 */
function blockTail(segment: LogSegment, entry: IndexEntry, maxBytes: number): Buffer {
  if (!entry.inStdout) {
    const wanted = Math.min(entry.dataLength, maxBytes);
    return segment.read(entry.dataOffset + entry.dataLength - wanted, wanted);
  }
  const text = Buffer.concat([NEWLINE_BYTES, segment.read(entry.dataOffset, entry.dataLength), NEWLINE_BYTES]);
  return text.subarray(Math.max(0, text.length - maxBytes));
}

/** Joins `parts` and decodes them, dropping a character cut at the start. */
function tailText(parts: Buffer[]): string {
  const bytes = Buffer.concat(parts);
  return bytes.subarray(utf8CutAfter(bytes, 0)).toString('utf8');
}
