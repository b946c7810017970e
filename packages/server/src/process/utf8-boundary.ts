/** True when `byte` continues a multi-byte UTF-8 character (`10xxxxxx`). */
function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

/** The largest cut position `<= position` of `bytes` that does not split a UTF-8 character (never 0 if `position > 0` and a cut exists). */
export function utf8CutBefore(bytes: Uint8Array, position: number): number {
  let cut = Math.min(position, bytes.length);
  for (let step = 0; step < 3 && cut > 0 && isContinuation(bytes[cut]); step++) cut--;
  return cut > 0 ? cut : Math.min(position, bytes.length);
}

/** The smallest cut position `>= position` of `bytes` that does not split a UTF-8 character. */
export function utf8CutAfter(bytes: Uint8Array, position: number): number {
  let cut = Math.max(0, position);
  for (let step = 0; step < 3 && cut < bytes.length && isContinuation(bytes[cut]); step++) cut++;
  return cut;
}

/** Length of the longest prefix of `bytes` that ends on a whole character (an incomplete last character is left out). */
export function completeUtf8Length(bytes: Uint8Array): number {
  const length = bytes.length;
  for (let back = 1; back <= Math.min(4, length); back++) {
    const byte = bytes[length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? length - back : length;
  }
  return length;
}
