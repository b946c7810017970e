const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const LETTER_N = 0x6e;

/**
 * The UTF-8 bytes of `text` escaped for the inside of a JSON string literal, as bytes. Plain
 * ASCII without quotes, backslashes or control characters other than newlines (the common case
 * of command output) is escaped by one byte loop, without a string; anything else goes through
 * `JSON.stringify` (which also turns invalid UTF-8 into U+FFFD, as decoding does).
 */
export function jsonEscapedBytes(bytes: Buffer): Buffer {
  let newlines = 0;
  for (let position = 0; position < bytes.length; position++) {
    const byte = bytes[position] as number;
    if (byte === NEWLINE) newlines++;
    else if (byte >= 0x80 || byte < 0x20 || byte === QUOTE || byte === BACKSLASH) return slowPath(bytes);
  }
  if (newlines === 0) return bytes;
  const output = Buffer.allocUnsafe(bytes.length + newlines);
  let written = 0;
  for (let position = 0; position < bytes.length; position++) {
    const byte = bytes[position] as number;
    if (byte === NEWLINE) {
      output[written++] = BACKSLASH;
      output[written++] = LETTER_N;
    } else {
      output[written++] = byte;
    }
  }
  return output;
}

function slowPath(bytes: Buffer): Buffer {
  return Buffer.from(JSON.stringify(bytes.toString('utf8')).slice(1, -1));
}
