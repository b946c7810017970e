import { describe, expect, it } from 'vitest';
import { prefixReads } from './strict-log-stream.js';

const P = Buffer.from('P:');
const prefixed = (text: string, atLineStart: boolean, reads?: { fileOffset: number; readBytes: number }): string =>
  prefixReads(Buffer.from(text), P, atLineStart, reads).toString();

describe('prefixReads (the real server tailer framing, as its combined log file holds it)', () => {
  it('one read: a prefix at its start and before each line that begins inside it', () => {
    expect(prefixed('a\nb\n', true)).toBe('P:a\nP:b\n');
    expect(prefixed('a\nb', false)).toBe('P:a\nP:b');
    expect(prefixed('\n[notice]\n', true)).toBe('P:\nP:[notice]\n');
  });

  it('reads of a file from its start: a prefix at every read, mid-line too, and once where both meet', () => {
    expect(prefixed('abcdefghij\n', true, { fileOffset: 0, readBytes: 4 })).toBe('P:abcdP:efghP:ij\n');
    expect(prefixed('abc\ndefg\n', true, { fileOffset: 0, readBytes: 4 })).toBe('P:abc\nP:defgP:\n');
    expect(prefixed('cdef\n', false, { fileOffset: 2, readBytes: 4 })).toBe('cdP:ef\n');
    expect(prefixed('cd\nef', true, { fileOffset: 2, readBytes: 4 })).toBe('P:cdP:\nP:ef');
    expect(prefixed('c\nef', true, { fileOffset: 2, readBytes: 4 })).toBe('P:c\nP:ef');
  });
});
