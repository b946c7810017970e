/**
 * Splits a byte stream into lines (`\n` or `\r\n`), decoding UTF-8 across chunk boundaries.
 */

/**
 * Yields each complete line of `body` without its line ending. The last line is yielded even
 * without a final newline, but only when the body ended normally: a connection that breaks in the
 * middle of a line throws and never yields the half line. `onChunk` is called for every chunk
 * received (before its lines are yielded), e.g. to feed a keepalive watchdog.
 */
export async function* readLines(body: ReadableStream<Uint8Array>, onChunk?: () => void): AsyncGenerator<string> {
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
      for (const line of lines) yield line.endsWith('\r') ? line.slice(0, -1) : line;
    }
    finished = true;
    if (buffer) yield buffer;
  } finally {
    if (!finished) reader.cancel().catch(() => {});
  }
}
