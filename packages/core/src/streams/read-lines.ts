/**
 * Splits a byte stream into lines (`\n` or `\r\n`), decoding UTF-8 across chunk boundaries.
 */

/**
 * Yields the complete lines of each chunk of `body` as one batch, without their line endings (a
 * batch per chunk costs one await, not one per line). The last line is yielded even without a final
 * newline, but only when the body ended normally: a connection that breaks in the middle of a line
 * throws and never yields the half line. `onChunk` is called for every chunk received (before its
 * lines are yielded), e.g. to feed a keepalive watchdog.
 */
export async function* readLineBatches(body: ReadableStream<Uint8Array>, onChunk?: () => void): AsyncGenerator<string[]> {
  const reader = body.pipeThrough(new TextDecoderStream() as ReadableWritablePair<string, Uint8Array>).getReader();
  let buffer = '';
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      onChunk?.();
      const lines = (buffer + value).split('\n');
      buffer = lines.pop() ?? '';
      for (let index = 0; index < lines.length; index++) {
        const line = lines[index]!;
        if (line.endsWith('\r')) lines[index] = line.slice(0, -1);
      }
      if (lines.length > 0) yield lines;
    }
    finished = true;
    if (buffer) yield [buffer];
  } finally {
    if (!finished) reader.cancel().catch(() => {});
  }
}

/** Yields each complete line of `body`, with the guarantees of {@link readLineBatches}. */
export async function* readLines(body: ReadableStream<Uint8Array>, onChunk?: () => void): AsyncGenerator<string> {
  for await (const lines of readLineBatches(body, onChunk)) yield* lines;
}
