import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { decodeIndexEntry, encodeIndexEntry, INDEX_ENTRY_BYTES, type IndexEntry } from './log-block.js';

/** Index entries kept in memory before they are written to the index file in one write. */
const INDEX_BATCH_ENTRIES = 256;

/**
 * A piece of a process's log on disk: an append-only data file (the blocks' bytes) and an index
 * file of fixed-size entries (block -> offset, length, stream, time, first record). The newest
 * index entries are held in memory and written in batches. Files are read and written with
 * synchronous positional I/O: the files live in the page cache, and the single thread then sees
 * one consistent log without locks. Dropping a segment unlinks its files at once; the descriptors
 * close when the last reader that pinned it lets go.
 */
export class LogSegment {
  /** Number of the segment's first block in the whole log. */
  readonly firstBlock: number;
  /** Index of the segment's first record in the whole log. */
  readonly firstRecord: number;
  readonly #dataPath: string;
  readonly #indexPath: string;
  readonly #dataDescriptor: number;
  readonly #indexDescriptor: number;
  #dataBytes = 0;
  #blockCount = 0;
  #recordCount = 0;
  #flushedBlocks = 0;
  readonly #pending = Buffer.alloc(INDEX_BATCH_ENTRIES * INDEX_ENTRY_BYTES);
  #pins = 0;
  #dropped = false;
  #closed = false;

  constructor(pathPrefix: string, firstBlock: number, firstRecord: number) {
    this.firstBlock = firstBlock;
    this.firstRecord = firstRecord;
    this.#dataPath = `${pathPrefix}.data`;
    this.#indexPath = `${pathPrefix}.index`;
    this.#dataDescriptor = openSync(this.#dataPath, 'w+', 0o600);
    try {
      this.#indexDescriptor = openSync(this.#indexPath, 'w+', 0o600);
    } catch (error) {
      closeSync(this.#dataDescriptor);
      unlinkSync(this.#dataPath);
      throw error;
    }
  }

  /** Bytes the segment occupies on disk (data plus index). */
  get bytes(): number {
    return this.#dataBytes + this.#blockCount * INDEX_ENTRY_BYTES;
  }

  get dataBytes(): number {
    return this.#dataBytes;
  }

  /** Number of the block after the segment's last one. */
  get endBlock(): number {
    return this.firstBlock + this.#blockCount;
  }

  /** Index of the record after the segment's last one. */
  get endRecord(): number {
    return this.firstRecord + this.#recordCount;
  }

  get dropped(): boolean {
    return this.#dropped;
  }

  /** Appends a block's bytes and its entry (`dataOffset`/`dataLength` are filled in here). */
  append(data: Buffer, entry: Omit<IndexEntry, 'dataOffset' | 'dataLength'>): void {
    let written = 0;
    while (written < data.length) {
      written += writeSync(this.#dataDescriptor, data, written, data.length - written, this.#dataBytes + written);
    }
    const slot = this.#blockCount - this.#flushedBlocks;
    encodeIndexEntry(this.#pending, slot * INDEX_ENTRY_BYTES, { ...entry, dataOffset: this.#dataBytes, dataLength: data.length });
    this.#dataBytes += data.length;
    this.#blockCount++;
    this.#recordCount += entry.recordCount;
    if (slot + 1 === INDEX_BATCH_ENTRIES) this.flushIndex();
  }

  /** Writes the index entries held in memory to the index file. */
  flushIndex(): void {
    const count = this.#blockCount - this.#flushedBlocks;
    if (count === 0 || this.#closed) return;
    const length = count * INDEX_ENTRY_BYTES;
    let written = 0;
    while (written < length) {
      written += writeSync(this.#indexDescriptor, this.#pending, written, length - written, this.#flushedBlocks * INDEX_ENTRY_BYTES + written);
    }
    this.#flushedBlocks = this.#blockCount;
  }

  /** The entry of block `number` (which must be in this segment). */
  entry(number: number): IndexEntry {
    const position = number - this.firstBlock;
    if (position >= this.#flushedBlocks) {
      return decodeIndexEntry(this.#pending, (position - this.#flushedBlocks) * INDEX_ENTRY_BYTES);
    }
    const buffer = Buffer.allocUnsafe(INDEX_ENTRY_BYTES);
    this.#readFully(this.#indexDescriptor, buffer, position * INDEX_ENTRY_BYTES);
    return decodeIndexEntry(buffer, 0);
  }

  /** The entries of blocks `from` to `to - 1`, read in one go. */
  entries(from: number, to: number): IndexEntry[] {
    const result: IndexEntry[] = [];
    const firstPosition = from - this.firstBlock;
    const lastPosition = to - this.firstBlock;
    const onDiskEnd = Math.min(lastPosition, this.#flushedBlocks);
    if (firstPosition < onDiskEnd) {
      const buffer = Buffer.allocUnsafe((onDiskEnd - firstPosition) * INDEX_ENTRY_BYTES);
      this.#readFully(this.#indexDescriptor, buffer, firstPosition * INDEX_ENTRY_BYTES);
      for (let offset = 0; offset < buffer.length; offset += INDEX_ENTRY_BYTES) result.push(decodeIndexEntry(buffer, offset));
    }
    for (let position = Math.max(firstPosition, this.#flushedBlocks); position < lastPosition; position++) {
      result.push(decodeIndexEntry(this.#pending, (position - this.#flushedBlocks) * INDEX_ENTRY_BYTES));
    }
    return result;
  }

  /** `length` bytes of the data file from `offset`, in `target` if given (which must be large enough) or in a new buffer. */
  read(offset: number, length: number, target?: Buffer): Buffer {
    const buffer = target === undefined ? Buffer.allocUnsafe(length) : target.subarray(0, length);
    this.#readFully(this.#dataDescriptor, buffer, offset);
    return buffer;
  }

  /** The first block holding a record with index `record` or later (binary search over the index). */
  blockOfRecord(record: number): number {
    let low = this.firstBlock;
    let high = this.endBlock;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const entry = this.entry(middle);
      if (entry.firstRecord + entry.recordCount > record) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /** Keeps the files readable until the returned function is called, even if the segment is dropped. */
  pin(): () => void {
    this.#pins++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#pins--;
      if (this.#dropped && this.#pins === 0) this.#close();
    };
  }

  /** Unlinks the files; the descriptors close now or when the last pin is released. */
  drop(): void {
    if (this.#dropped) return;
    this.#dropped = true;
    for (const path of [this.#dataPath, this.#indexPath]) {
      try { unlinkSync(path); } catch { /* already gone (run directory removed) */ }
    }
    if (this.#pins === 0) this.#close();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#dataDescriptor);
    closeSync(this.#indexDescriptor);
  }

  #readFully(descriptor: number, buffer: Buffer, position: number): void {
    if (this.#closed) throw new Error('log segment was dropped');
    let read = 0;
    while (read < buffer.length) {
      const count = readSync(descriptor, buffer, read, buffer.length - read, position + read);
      if (count === 0) throw new Error('log segment is shorter than its index');
      read += count;
    }
  }
}
