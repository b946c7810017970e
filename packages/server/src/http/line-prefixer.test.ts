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
    expect(output).toBe(lines.slice(0, -1).split('\n').map((line) => `stderr:${line}\n`).join(''));
    const newlines = Buffer.alloc(300_000, 0x0a);
    expect(prefixEveryLine(newlines, Buffer.from('stdout:')).length).toBe(300_000 * 8);
  });
});
