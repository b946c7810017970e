const NEWLINE = 0x0a;
/** Four newline bytes, one per byte of a 32-bit word. */
const NEWLINES = 0x0a0a0a0a;

/** Words summed per run: each byte of the sum counts at most this many newlines (below 256). */
const WORDS_PER_RUN = 127;

/**
 * Number of newline bytes in `bytes`, four bytes at a time (a SWAR zero-byte test on 32-bit words):
 * a plain loop without an allocation, a call or a branch per word (the per-byte hits of up to
 * {@link WORDS_PER_RUN} words add up in the four bytes of one sum), several times faster than a byte loop.
 */
export function countNewlines(bytes: Uint8Array): number {
  let count = 0;
  let position = 0;
  const length = bytes.length;
  const head = Math.min(length, (4 - (bytes.byteOffset & 3)) & 3);
  for (; position < head; position++) if (bytes[position] === NEWLINE) count++;
  const words = (length - position) >>> 2;
  if (words > 0) {
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + position, words);
    for (let runStart = 0; runStart < words; runStart += WORDS_PER_RUN) {
      const runEnd = Math.min(words, runStart + WORDS_PER_RUN);
      let sums = 0;
      for (let index = runStart; index < runEnd; index++) {
        const word = (view[index] ?? 0) ^ NEWLINES;
        // 1 in each byte that was a newline (exact: no false positives).
        sums += (~(((word & 0x7f7f7f7f) + 0x7f7f7f7f) | word | 0x7f7f7f7f) >>> 7) & 0x01010101;
      }
      count += (sums & 0xff) + ((sums >>> 8) & 0xff) + ((sums >>> 16) & 0xff) + (sums >>> 24);
    }
    position += words * 4;
  }
  for (; position < length; position++) if (bytes[position] === NEWLINE) count++;
  return count;
}

/**
 * True if `bytes` (which ends with a newline) holds a line longer than `maxLineBytes`: a native
 * search per `maxLineBytes` of data, not per line.
 */
export function hasLineLongerThan(bytes: Uint8Array, maxLineBytes: number): boolean {
  let lineStart = 0;
  while (bytes.length - 1 - lineStart > maxLineBytes) {
    const newline = bytes.lastIndexOf(NEWLINE, lineStart + maxLineBytes);
    if (newline < lineStart) return true;
    lineStart = newline + 1;
  }
  return false;
}
