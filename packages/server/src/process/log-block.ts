/** Which pipe an output record came from. */
export type OutputStream = 'stdout' | 'stderr';

/**
 * One block of a log: the bytes of one append (whole lines of one stream, one read chunk in
 * strict mode, or one notice), as found in the data file, with its index entry.
 */
export interface LogBlock {
  /** Position among every block ever appended to the log. */
  readonly number: number;
  /** The pipe, or `null` for a notice. */
  readonly stream: OutputStream | null;
  /** When the server read the bytes (or added the notice), in milliseconds since the epoch. */
  readonly time: number;
  /** Index of the block's first output record among every record ever appended. */
  readonly firstRecord: number;
  /** Output records in the block (lines, or 1 for a strict-mode chunk, 0 for a notice). */
  readonly recordCount: number;
  /** A notice that is also part of the stdout text (restart notices, as on the real server). */
  readonly inStdout: boolean;
  /** The raw bytes: lines each ending in `\n` (but a last line the command did not end), a chunk, or the notice text. */
  readonly data: Buffer;
}

/** Size of one index entry on disk, in bytes. */
export const INDEX_ENTRY_BYTES = 40;

/** An index entry: where a block's bytes are and what they are. */
export interface IndexEntry {
  /** Byte offset of the block in its segment's data file. */
  dataOffset: number;
  /** Byte length of the block. */
  dataLength: number;
  time: number;
  firstRecord: number;
  recordCount: number;
  /** Number of the previous block of the same stream, or -1 (walks a stream's tail backwards). */
  previousOfStream: number;
  stream: OutputStream | null;
  /** A notice that the stdout text shows too (it is then also in the stdout chain of `previousOfStream`). */
  inStdout: boolean;
}

const STREAM_CODES = { stdout: 1, stderr: 2 } as const;

/** Writes `entry` at `offset` of `target` (little-endian, {@link INDEX_ENTRY_BYTES} bytes). */
export function encodeIndexEntry(target: Buffer, offset: number, entry: IndexEntry): void {
  target.writeUInt32LE(entry.dataOffset, offset);
  target.writeUInt32LE(entry.dataLength, offset + 4);
  target.writeDoubleLE(entry.time, offset + 8);
  target.writeDoubleLE(entry.firstRecord, offset + 16);
  target.writeDoubleLE(entry.previousOfStream, offset + 24);
  target.writeUInt32LE(entry.recordCount, offset + 32);
  target.writeUInt8(entry.stream === null ? 0 : STREAM_CODES[entry.stream], offset + 36);
  target.writeUInt8(entry.inStdout ? 1 : 0, offset + 37);
}

/** Reads the entry at `offset` of `source`. */
export function decodeIndexEntry(source: Buffer, offset: number): IndexEntry {
  const code = source.readUInt8(offset + 36);
  return {
    dataOffset: source.readUInt32LE(offset),
    dataLength: source.readUInt32LE(offset + 4),
    time: source.readDoubleLE(offset + 8),
    firstRecord: source.readDoubleLE(offset + 16),
    previousOfStream: source.readDoubleLE(offset + 24),
    recordCount: source.readUInt32LE(offset + 32),
    stream: code === 1 ? 'stdout' : code === 2 ? 'stderr' : null,
    inStdout: source.readUInt8(offset + 37) === 1,
  };
}
