import type { LogBlock } from '../process/output-log.js';
import { prefixEveryLine } from './line-prefixer.js';

const NEWLINE = 0x0a;
const NEWLINE_BYTES = Buffer.from('\n');
/** Each line with its newline, and a last line without one. */
const LINES = /[^\n]*\n|[^\n]+$/g;
const PREFIXES = { stdout: Buffer.from('stdout:'), stderr: Buffer.from('stderr:') } as const;

/** Byte offset in `data` after its first `skipRecords` lines. */
function offsetAfterLines(data: Buffer, skipRecords: number): number {
  let start = 0;
  for (let skipped = 0; skipped < skipRecords && start < data.length; skipped++) {
    const newline = data.indexOf(NEWLINE, start);
    if (newline === -1) return data.length;
    start = newline + 1;
  }
  return start;
}

/**
 * The text of a block without its first `skipRecords` lines. A line-mode block ends with a newline,
 * except the last block of a run whose last line the command did not end.
 */
export function blockLines(block: LogBlock, skipRecords: number): string {
  return block.data.toString('utf8', offsetAfterLines(block.data, skipRecords));
}

/**
 * `stdout:<line>\n` for every line of a block, as bytes; a notice as a bare line. The copy runs in
 * WebAssembly ({@link prefixEveryLine}): no string and no call per line, and nothing for the
 * garbage collector's young generation (which would otherwise grow the resident memory under a flood).
 * `allocate` gives the output buffer (default: a new one).
 */
export function prefixedLines(
  block: LogBlock,
  skipRecords: number,
  allocate: (size: number) => Buffer = Buffer.allocUnsafe,
): Buffer {
  const data = block.data;
  if (block.stream === null) return Buffer.concat([data, NEWLINE_BYTES]);
  // Every record of a line-mode block is one line ending with a newline: no need to count them again.
  const lineCount = Math.max(0, block.recordCount - skipRecords);
  const lines = data.subarray(offsetAfterLines(data, skipRecords));
  const prefixed = prefixEveryLine(lines, PREFIXES[block.stream], lineCount, allocate);
  // An unterminated last line is still sent as a whole line of the stream.
  return lines.length === 0 || lines[lines.length - 1] === NEWLINE
    ? prefixed
    : Buffer.concat([prefixed, NEWLINE_BYTES]);
}

/** Strict mode: one prefix per read chunk; a notice as a bare line. As bytes, like {@link prefixedLines}. */
export function prefixedChunk(block: LogBlock): Buffer {
  return block.stream === null
    ? Buffer.concat([block.data, NEWLINE_BYTES])
    : Buffer.concat([PREFIXES[block.stream], block.data]);
}

/**
 * NDJSON exec events: one `{"type","data"}` per line (default mode) or per chunk (strict); notices
 * send nothing, except in strict mode a restart notice: stdout `\n<notice>\n`, twice, as the real
 * server sends it (as written, then read back from its log file).
 */
export function ndjsonEvents(block: LogBlock, skipRecords: number, chunkRecords: boolean): string | undefined {
  if (block.stream === null) {
    if (!chunkRecords || !block.inStdout) return undefined;
    return `${JSON.stringify({ type: 'stdout', data: `\n${block.data.toString('utf8')}\n` })}\n`.repeat(2);
  }
  const type = block.stream;
  if (chunkRecords) return `${JSON.stringify({ type, data: block.data.toString('utf8') })}\n`;
  const text = blockLines(block, skipRecords);
  if (text.length === 0) return undefined;
  // One event per line with its newline; an unterminated last line as written, without one.
  let events = '';
  for (const line of text.match(LINES) ?? []) events += `${JSON.stringify({ type, data: line })}\n`;
  return events;
}
