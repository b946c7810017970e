import { describe, expect, it } from 'vitest';
import { readLineBatches, readLines } from './read-lines.js';

function streamOf(chunks: (string | Uint8Array)[], error?: Error): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const pending = [...chunks];
  return new ReadableStream({
    pull(controller) {
      const chunk = pending.shift();
      if (chunk !== undefined) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      else if (error) controller.error(error);
      else controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of readLines(stream)) lines.push(line);
  return lines;
}

describe('readLines', () => {
  it('splits on \\n and \\r\\n across chunk boundaries, and yields a final unterminated line', async () => {
    expect(await collect(streamOf(['a\nb', 'c\r\n', '\nd']))).toEqual(['a', 'bc', '', 'd']);
  });

  it('decodes UTF-8 characters split across chunks', async () => {
    const bytes = new TextEncoder().encode('héllo ✓\n');
    expect(await collect(streamOf([bytes.slice(0, 2), bytes.slice(2, 9), bytes.slice(9)]))).toEqual(['héllo ✓']);
  });

  it('decodes every split of mixed text into the same lines (whole and streamed chunks in any order)', async () => {
    const text = 'a é\n✓ 𝄞 b\r\nplain ascii\n\uFEFFbom kept\n日本語\n';
    const bytes = new TextEncoder().encode(text);
    for (let size = 1; size <= 8; size++) {
      const chunks: Uint8Array[] = [];
      for (let start = 0; start < bytes.length; start += size) chunks.push(bytes.slice(start, start + size));
      expect(await collect(streamOf(chunks))).toEqual(['a é', '✓ 𝄞 b', 'plain ascii', '\uFEFFbom kept', '日本語']);
    }
  });

  it('keeps a byte order mark as text, at the start of the body too', async () => {
    expect(await collect(streamOf(['\uFEFFfirst\n', '\uFEFFsecond\n']))).toEqual(['\uFEFFfirst', '\uFEFFsecond']);
  });

  it('ends a body cut inside a character with a replacement character', async () => {
    const bytes = new TextEncoder().encode('ok\n✓');
    expect(await collect(streamOf([bytes.slice(0, -1)]))).toEqual(['ok', '\uFFFD']);
  });

  it('never yields the half line of a broken connection', async () => {
    const lines: string[] = [];
    await expect(async () => {
      for await (const line of readLines(streamOf(['whole\nhal'], new TypeError('terminated')))) lines.push(line);
    }).rejects.toThrow('terminated');
    expect(lines).toEqual(['whole']);
  });
});

describe('readLineBatches', () => {
  it('yields the complete lines of each chunk as one batch, and no empty batch for a chunk inside a line', async () => {
    const batches: string[][] = [];
    for await (const batch of readLineBatches(streamOf(['a\nb\r\nc', 'on', 'tinued\nd\n', 'tail'])))
      batches.push(batch);
    expect(batches).toEqual([['a', 'b'], ['continued', 'd'], ['tail']]);
  });
});
