import { describe, expect, it } from 'vitest';
import { jsonEscapedBytes } from './json-escape.js';

function roundTrip(bytes: Buffer): string {
  return JSON.parse(`"${jsonEscapedBytes(bytes).toString('utf8')}"`) as string;
}

describe('jsonEscapedBytes', () => {
  it('escapes plain ASCII lines without a string, and anything else like JSON.stringify', () => {
    expect(jsonEscapedBytes(Buffer.from('a\nb\n')).toString()).toBe('a\\nb\\n');
    for (const text of [
      'plain',
      'line\n',
      'quote " and \\ backslash\n',
      'tab\there\r\n',
      'héllo €\n',
      '\u0001\u001f',
    ]) {
      expect(roundTrip(Buffer.from(text))).toBe(text);
    }
    expect(roundTrip(Buffer.from([0x61, 0xff, 0x0a]))).toBe('a\uFFFD\n');
  });
});
