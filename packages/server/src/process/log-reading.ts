import type { IndexEntry, LogBlock } from './log-block.js';
import type { LogSegment } from './log-segment.js';

/** Index entries read per index read when scanning forwards. */
const ENTRIES_PER_READ = 512;

/** The segment holding block `number`, if it is retained. */
export function segmentOfBlock(segments: readonly LogSegment[], number: number): LogSegment | undefined {
  for (let position = segments.length - 1; position >= 0; position--) {
    const segment = segments[position];
    if (segment === undefined) continue;
    if (number >= segment.firstBlock) return number < segment.endBlock ? segment : undefined;
  }
  return undefined;
}

/** One reusable read buffer: readers consume a batch synchronously, so reads need not allocate. */
let scratch = Buffer.allocUnsafeSlow(256 * 1024);

/**
 * Consecutive blocks from block `from` (within one segment), about `maxBytes` of data in all (at
 * least one block), with their bytes read in one read. Empty if `from` is not retained.
 * The blocks' `data` live in a buffer shared by every call: they are valid until the next call
 * (copy what must outlive it), which spares an allocation per batch under a flood.
 */
export function readBlocks(
  segments: readonly LogSegment[],
  from: number,
  maxBytes: number,
  endBlock = Number.POSITIVE_INFINITY,
): LogBlock[] {
  const segment = segmentOfBlock(segments, from);
  if (segment === undefined || from >= endBlock) return [];
  const last = Math.min(segment.endBlock, endBlock, from + ENTRIES_PER_READ);
  const entries = segment.entries(from, last);
  let taken = 0;
  let bytes = 0;
  while (taken < entries.length && (taken === 0 || bytes + (entries[taken]?.dataLength ?? 0) <= maxBytes)) {
    bytes += entries[taken]?.dataLength ?? 0;
    taken++;
  }
  const first = entries[0];
  if (first === undefined) return [];
  if (scratch.length < bytes) scratch = Buffer.allocUnsafeSlow(bytes);
  const data = segment.read(first.dataOffset, bytes, scratch);
  const blocks: LogBlock[] = [];
  for (let position = 0; position < taken; position++) {
    const entry = entries[position] as IndexEntry;
    const start = entry.dataOffset - first.dataOffset;
    blocks.push({
      number: from + position,
      stream: entry.stream,
      time: entry.time,
      firstRecord: entry.firstRecord,
      recordCount: entry.recordCount,
      inStdout: entry.inStdout,
      data: data.subarray(start, start + entry.dataLength),
    });
  }
  return blocks;
}

/** Reads index entries backwards in batches (tail walks touch many small neighbouring blocks). */
export class BackwardEntryReader {
  readonly #segments: readonly LogSegment[];
  readonly #onSegment: (segment: LogSegment) => void;
  #cacheFrom = 0;
  #cache: IndexEntry[] = [];

  /** `onSegment` is told of each segment before it is read (to keep it open for a read session). */
  constructor(segments: readonly LogSegment[], onSegment: (segment: LogSegment) => void = () => undefined) {
    this.#segments = segments;
    this.#onSegment = onSegment;
  }

  /** The entry of block `number` with its segment, or undefined if it is not retained. */
  entry(number: number): { segment: LogSegment; entry: IndexEntry } | undefined {
    const segment = segmentOfBlock(this.#segments, number);
    if (segment === undefined) return undefined;
    this.#onSegment(segment);
    const cached = this.#cache[number - this.#cacheFrom];
    if (number >= this.#cacheFrom && cached !== undefined) return { segment, entry: cached };
    this.#cacheFrom = Math.max(segment.firstBlock, number - 63);
    this.#cache = segment.entries(this.#cacheFrom, number + 1);
    const entry = this.#cache[number - this.#cacheFrom];
    return entry === undefined ? undefined : { segment, entry };
  }
}
