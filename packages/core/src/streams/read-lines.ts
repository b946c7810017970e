/**
 * Splits a byte stream into lines (`\n` or `\r\n`), decoding UTF-8 across chunk boundaries.
 */

/**
 * Decodes the chunks of one UTF-8 byte stream in order; call it without a chunk at the end. A
 * chunk that ends on an ASCII byte, with no character begun in the chunk before, is decoded whole:
 * Node decodes a whole buffer several times faster than a streamed one (and never again once a
 * decoder has streamed, hence a second decoder for the chunks that end inside a character, and the
 * next one). A byte order mark is text here, wherever it is.
 */
function createChunkDecoder(): (chunk?: Uint8Array) => string {
  const whole = new TextDecoder('utf-8', { ignoreBOM: true });
  const streaming = new TextDecoder('utf-8', { ignoreBOM: true });
  let begun = false;
  return (chunk) => {
    if (!chunk) return begun ? streaming.decode() : '';
    const last = chunk.at(-1);
    const endsWhole = last !== undefined && last < 0x80;
    const text = begun || !endsWhole ? streaming.decode(chunk, { stream: true }) : whole.decode(chunk);
    begun = !endsWhole;
    return text;
  };
}

/**
 * Yields the complete lines of each chunk of `body` as one batch, without their line endings (a
 * batch per chunk costs one await, not one per line). The last line is yielded even without a final
 * newline, but only when the body ended normally: a connection that breaks in the middle of a line
 * throws and never yields the half line. With `onTail`, that unterminated last line is handed to it
 * instead of being yielded (a body that ended normally may still have been cut by an intermediary:
 * the caller decides). `onChunk` is called for every chunk received (before its lines are yielded),
 * e.g. to feed a keepalive watchdog.
 */
export async function* readLineBatches(
  body: ReadableStream<Uint8Array>,
  onChunk?: () => void,
  onTail?: (line: string) => void,
): AsyncGenerator<string[]> {
  // The body's own reader and a decoder (no TextDecoderStream pipe: one hop less per chunk).
  const reader = body.getReader();
  const decode = createChunkDecoder();
  let buffer = '';
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      onChunk?.();
      // The buffer is joined first, so a `\r\n` split across two chunks is still one line ending.
      const text = buffer + decode(value);
      const lines = text.split('\n');
      // `split` always gives at least one element: the text after the last newline.
      buffer = lines.pop() ?? '';
      if (lines.length > 0) {
        if (text.includes('\r'))
          lines.forEach((line, index) => {
            if (line.endsWith('\r')) lines[index] = line.slice(0, -1);
          });
        yield lines;
      }
    }
    finished = true;
    buffer += decode();
    if (buffer) {
      if (onTail) onTail(buffer);
      else yield [buffer];
    }
  } finally {
    if (!finished) reader.cancel().catch(() => {});
  }
}

/** Yields each complete line of `body`, with the guarantees of {@link readLineBatches}. */
export async function* readLines(body: ReadableStream<Uint8Array>, onChunk?: () => void): AsyncGenerator<string> {
  for await (const lines of readLineBatches(body, onChunk)) yield* lines;
}
