import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { decodeIndexEntry, encodeIndexEntry, INDEX_ENTRY_BYTES, type IndexEntry } from './log-block.js';

/** Index entries kept in memory before they are written to the index file in one write. */
const INDEX_BATCH_ENTRIES = 256;

/** The two descriptors of a segment's files. */
interface Descriptors {
  data: number;
  index: number;
}

/**
 * A piece of a process's log on disk: an append-only data file (the blocks' bytes) and an index
 * file of fixed-size entries (block -> offset, length, stream, time, first record). The newest
 * index entries are held in memory and written in batches. Files are read and written with
 * synchronous positional I/O: the files live in the page cache, and the single thread then sees
 * one consistent log without locks.
 *
 * Descriptors stay open only while the segment is written to or pinned by a reader; a sealed
 * segment opens its files for each read, so a server holding the logs of a thousand finished
 * processes holds no descriptor for them. Dropping a segment unlinks its files at once; a pinned
 * segment stays readable through its open descriptors until the last pin is released.
 */
export class LogSegment {
  /** Number of the segment's first block in the whole log. */
  readonly firstBlock: number;
  /** Index of the segment's first record in the whole log. */
  readonly firstRecord: number;
  readonly #dataPath: string;
  readonly #indexPath: string;
  #descriptors: Descriptors | undefined;
  #dataBytes = 0;
  #blockCount = 0;
  #recordCount = 0;
  #flushedBlocks = 0;
  readonly #pending = Buffer.alloc(INDEX_BATCH_ENTRIES * INDEX_ENTRY_BYTES);
  #pins = 0;
  #sealed = false;
  #dropped = false;

  constructor(pathPrefix: string, firstBlock: number, firstRecord: number) {
    this.firstBlock = firstBlock;
    this.firstRecord = firstRecord;
    this.#dataPath = `${pathPrefix}.data`;
    this.#indexPath = `${pathPrefix}.index`;
    this.#descriptors = openBoth(this.#dataPath, this.#indexPath, 'w+');
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

  /** True while the segment holds open descriptors (being written, or pinned). */
  get open(): boolean {
    return this.#descriptors !== undefined;
  }

  /**
   * Appends a block's bytes and its entry (`dataOffset`/`dataLength` are filled in here). A write
   * that fails (disk full) throws and leaves the segment as it was: the block is not in it, and the
   * next append tries again from the same place (a full batch of index entries goes to disk first).
   */
  append(data: Buffer, entry: Omit<IndexEntry, 'dataOffset' | 'dataLength'>): void {
    const descriptors = this.#descriptors;
    if (this.#sealed || descriptors === undefined) throw new Error('log segment is sealed');
    if (this.#blockCount - this.#flushedBlocks === INDEX_BATCH_ENTRIES) this.#flushIndex();
    let written = 0;
    while (written < data.length) {
      written += writeSync(descriptors.data, data, written, data.length - written, this.#dataBytes + written);
    }
    const slot = this.#blockCount - this.#flushedBlocks;
    encodeIndexEntry(this.#pending, slot * INDEX_ENTRY_BYTES, {
      ...entry,
      dataOffset: this.#dataBytes,
      dataLength: data.length,
    });
    this.#dataBytes += data.length;
    this.#blockCount++;
    this.#recordCount += entry.recordCount;
  }

  /**
   * Ends writing: the pending index entries go to disk and the descriptors close (unless pinned).
   * If the entries cannot be written (disk full), the segment is sealed all the same and they stay
   * in memory, where readers find them; the error is thrown after.
   */
  seal(): void {
    if (this.#sealed) return;
    try {
      this.#flushIndex();
    } finally {
      this.#sealed = true;
      if (this.#pins === 0) this.#closeDescriptors();
    }
  }

  /** The entries of blocks `from` to `to - 1`, read in one go. */
  entries(from: number, to: number): IndexEntry[] {
    const result: IndexEntry[] = [];
    const firstPosition = from - this.firstBlock;
    const lastPosition = to - this.firstBlock;
    const onDiskEnd = Math.min(lastPosition, this.#flushedBlocks);
    if (firstPosition < onDiskEnd) {
      const buffer = Buffer.allocUnsafe((onDiskEnd - firstPosition) * INDEX_ENTRY_BYTES);
      this.#read('index', buffer, firstPosition * INDEX_ENTRY_BYTES);
      for (let offset = 0; offset < buffer.length; offset += INDEX_ENTRY_BYTES)
        result.push(decodeIndexEntry(buffer, offset));
    }
    for (let position = Math.max(firstPosition, this.#flushedBlocks); position < lastPosition; position++) {
      result.push(decodeIndexEntry(this.#pending, (position - this.#flushedBlocks) * INDEX_ENTRY_BYTES));
    }
    return result;
  }

  /** The entry of block `number` (which must be in this segment). */
  entry(number: number): IndexEntry {
    const entry = this.entries(number, number + 1)[0];
    if (entry === undefined) throw new Error(`block ${number} is not in this segment`);
    return entry;
  }

  /** `length` bytes of the data file from `offset`, in `target` if given (which must be large enough) or in a new buffer. */
  read(offset: number, length: number, target?: Buffer): Buffer {
    const buffer = target === undefined ? Buffer.allocUnsafe(length) : target.subarray(0, length);
    this.#read('data', buffer, offset);
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
    if (this.#dropped) throw new Error('log segment was dropped');
    this.#descriptors ??= openBoth(this.#dataPath, this.#indexPath, 'r');
    this.#pins++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#pins--;
      if (this.#pins === 0 && (this.#sealed || this.#dropped)) this.#closeDescriptors();
    };
  }

  /** Unlinks the files; open descriptors close now, or when the last pin is released. */
  drop(): void {
    if (this.#dropped) return;
    this.#dropped = true;
    for (const path of [this.#dataPath, this.#indexPath]) {
      try {
        unlinkSync(path);
      } catch {
        /* already gone (run directory removed) */
      }
    }
    if (this.#pins === 0) this.#closeDescriptors();
  }

  #flushIndex(): void {
    const count = this.#blockCount - this.#flushedBlocks;
    const descriptor = this.#descriptors?.index;
    if (count === 0 || descriptor === undefined || this.#dropped) return;
    const length = count * INDEX_ENTRY_BYTES;
    let written = 0;
    while (written < length) {
      written += writeSync(
        descriptor,
        this.#pending,
        written,
        length - written,
        this.#flushedBlocks * INDEX_ENTRY_BYTES + written,
      );
    }
    this.#flushedBlocks = this.#blockCount;
  }

  #closeDescriptors(): void {
    const descriptors = this.#descriptors;
    if (descriptors === undefined) return;
    this.#descriptors = undefined;
    closeSync(descriptors.data);
    closeSync(descriptors.index);
  }

  /** Fills `buffer` from `position` of one file: through the open descriptor, or by opening the file for this read. */
  #read(file: keyof Descriptors, buffer: Buffer, position: number): void {
    const open = this.#descriptors?.[file];
    if (open !== undefined) {
      readFully(open, buffer, position);
      return;
    }
    if (this.#dropped) throw new Error('log segment was dropped');
    const descriptor = openSync(file === 'data' ? this.#dataPath : this.#indexPath, 'r');
    try {
      readFully(descriptor, buffer, position);
    } finally {
      closeSync(descriptor);
    }
  }
}

function openBoth(dataPath: string, indexPath: string, flags: 'w+' | 'r'): Descriptors {
  const data = openSync(dataPath, flags, 0o600);
  try {
    return { data, index: openSync(indexPath, flags, 0o600) };
  } catch (error) {
    closeSync(data);
    if (flags === 'w+') unlinkSync(dataPath);
    throw error;
  }
}

function readFully(descriptor: number, buffer: Buffer, position: number): void {
  let read = 0;
  while (read < buffer.length) {
    const count = readSync(descriptor, buffer, read, buffer.length - read, position + read);
    if (count === 0) throw new Error('log segment is shorter than its index');
    read += count;
  }
}
