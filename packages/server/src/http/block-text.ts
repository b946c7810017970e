import type { LogBlock } from '../process/output-log.js';

const NEWLINE = 0x0a;

/**
 * The text of a block without its first `skipRecords` lines (line-mode blocks end with a
 * newline), decoded as UTF-8, or as `latin1` (one character per byte: the bytes pass through
 * unchanged when the text is written back as `latin1`, and one-byte strings are the fastest).
 */
export function blockLines(block: LogBlock, skipRecords: number, encoding: 'utf8' | 'latin1' = 'utf8'): string {
  let start = 0;
  for (let skipped = 0; skipped < skipRecords && start < block.data.length; skipped++) {
    const newline = block.data.indexOf(NEWLINE, start);
    if (newline === -1) return '';
    start = newline + 1;
  }
  return block.data.toString(encoding, start);
}

/**
 * `stdout:<line>\n` for every line of a block (prefixes added by one native `replaceAll`, not per
 * line in JavaScript); a notice as a bare line. A `latin1` string: write it with that encoding.
 */
export function prefixedLines(block: LogBlock, skipRecords: number): string {
  const text = blockLines(block, skipRecords, 'latin1');
  if (block.stream === null) return `${text}\n`;
  if (text.length === 0) return '';
  const prefix = `${block.stream}:`;
  return prefix + text.slice(0, -1).replaceAll('\n', `\n${prefix}`) + '\n';
}

/** Strict mode: one prefix per read chunk; a notice as a bare line. A `latin1` string, as {@link prefixedLines}. */
export function prefixedChunk(block: LogBlock): string {
  const text = block.data.toString('latin1');
  return block.stream === null ? `${text}\n` : `${block.stream}:${text}`;
}

/** NDJSON exec events: one `{"type","data"}` per line (default mode) or per chunk (strict); notices send nothing. */
export function ndjsonEvents(block: LogBlock, skipRecords: number, chunkRecords: boolean): string | undefined {
  if (block.stream === null) return undefined;
  const type = block.stream;
  if (chunkRecords) return `${JSON.stringify({ type, data: block.data.toString('utf8') })}\n`;
  const text = blockLines(block, skipRecords);
  if (text.length === 0) return undefined;
  let events = '';
  for (const line of text.slice(0, -1).split('\n')) events += `${JSON.stringify({ type, data: `${line}\n` })}\n`;
  return events;
}
