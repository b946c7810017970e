import { describe, expect, it } from 'vitest';
import type { LogBlock } from '../process/output-log.js';
import { ndjsonEvents, prefixedLines } from './block-text.js';

function block(data: string, recordCount: number): LogBlock {
  return {
    number: 0,
    stream: 'stdout',
    time: 0,
    firstRecord: 0,
    recordCount,
    inStdout: false,
    data: Buffer.from(data),
  };
}

describe('block text of a last line the command did not end', () => {
  it('the log stream sends it as a whole prefixed line', () => {
    expect(prefixedLines(block('a\nb', 2), 0).toString()).toBe('stdout:a\nstdout:b\n');
    expect(prefixedLines(block('a\nb', 2), 1).toString()).toBe('stdout:b\n');
    expect(prefixedLines(block('a\nb', 2), 2).toString()).toBe('');
    expect(prefixedLines(block('a\nb\n', 2), 0).toString()).toBe('stdout:a\nstdout:b\n');
  });

  it('the NDJSON exec sends its bytes as written, without a newline', () => {
    const data = (events: string | undefined): string[] =>
      (events ?? '')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line).data);
    expect(data(ndjsonEvents(block('a\nb', 2), 0, false))).toEqual(['a\n', 'b']);
    expect(data(ndjsonEvents(block('a\nb', 2), 1, false))).toEqual(['b']);
    expect(ndjsonEvents(block('a\nb', 2), 2, false)).toBeUndefined();
    expect(data(ndjsonEvents(block('a\n\nb\n', 3), 0, false))).toEqual(['a\n', '\n', 'b\n']);
  });
});
