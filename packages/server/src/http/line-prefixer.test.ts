import { describe, expect, it } from 'vitest';
import { prefixEveryLine } from './line-prefixer.js';

describe('prefixEveryLine', () => {
  it('writes the prefix before every line, bytes unchanged', () => {
    const prefix = Buffer.from('stdout:');
    expect(prefixEveryLine(Buffer.from('a\nbc\n\n'), prefix).toString()).toBe('stdout:a\nstdout:bc\nstdout:\n');
    expect(prefixEveryLine(Buffer.from('héllo €\n'), prefix).toString()).toBe('stdout:héllo €\n');
    expect(prefixEveryLine(Buffer.alloc(0), prefix).length).toBe(0);
  });

  it('handles inputs that need the module memory to grow, and many lines', () => {
    const lines = Array.from({ length: 200_000 }, (_, index) => `${index}\n`).join('');
    const output = prefixEveryLine(Buffer.from(lines), Buffer.from('stderr:')).toString();
    expect(output).toBe(
      lines
        .slice(0, -1)
        .split('\n')
        .map((line) => `stderr:${line}\n`)
        .join(''),
    );
    const newlines = Buffer.alloc(300_000, 0x0a);
    expect(prefixEveryLine(newlines, Buffer.from('stdout:')).length).toBe(300_000 * 8);
  });

  it('copies lines of every length and every byte value exactly, with or without a given line count', () => {
    // Bytes next to a newline (0x09, 0x0b, 0x8a) are where a word-wide newline test could go wrong.
    const alphabet = [0x09, 0x0a, 0x0b, 0x8a, 0x00, 0xff, 0x41, 0x0a, 0x0a, 0x7f];
    let seed = 12_345;
    const random = (): number => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed >>> 8;
    };
    for (let round = 0; round < 300; round++) {
      const length = random() % 200;
      const data = Buffer.alloc(length + 1, 0x0a);
      for (let index = 0; index < length; index++)
        data[index] = round % 3 === 0 ? 0x61 : (alphabet[random() % alphabet.length] ?? 0);
      const lines = data.toString('latin1').slice(0, -1).split('\n');
      const expected = Buffer.from(lines.map((line) => `stderr:${line}\n`).join(''), 'latin1');
      expect(prefixEveryLine(data, Buffer.from('stderr:'))).toEqual(expected);
      expect(prefixEveryLine(data, Buffer.from('stderr:'), lines.length)).toEqual(expected);
    }
  });

  it('ignores newlines left in memory past the input, and copies long lines and unterminated last lines whole', () => {
    const prefix = Buffer.from('stdout:');
    prefixEveryLine(Buffer.alloc(100_000, 0x0a), prefix);
    for (let length = 1; length <= 70; length++) {
      const line = 'x'.repeat(length);
      expect(prefixEveryLine(Buffer.from(line), prefix).toString()).toBe(`stdout:${line}`);
      expect(prefixEveryLine(Buffer.from(`${line}\n${line}`), prefix).toString()).toBe(
        `stdout:${line}\nstdout:${line}`,
      );
      expect(prefixEveryLine(Buffer.from(`${line}\n\n${line}\n`), prefix).toString()).toBe(
        `stdout:${line}\nstdout:\nstdout:${line}\n`,
      );
    }
  });

  it('refuses a prefix longer than 8 bytes', () => {
    expect(() => prefixEveryLine(Buffer.from('a\n'), Buffer.from('123456789'))).toThrow(RangeError);
  });
});
