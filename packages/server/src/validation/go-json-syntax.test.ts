import { describe, expect, it } from 'vitest';
import { scanFirstJsonValue } from './go-json-syntax.js';

/** Each body and what the real sandbox-api answered for it (checked with curl against the reference build). */
const REFERENCE_ANSWERS: [string, string][] = [
  ['{bad', "invalid character 'b' looking for beginning of object key string"],
  ['{"a" 1}', "invalid character '1' after object key"],
  ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
  ['[1 2]', "invalid character '2' after array element"],
  ['{"a":"x\\q"}', "invalid character 'q' in string escape code"],
  ['{"a":"x\u0001"}', "invalid character '\\x01' in string literal"],
  ['{"a":-x}', "invalid character 'x' in numeric literal"],
  ['{"a":1.x}', "invalid character 'x' after decimal point in numeric literal"],
  ['{"a":1e}', "invalid character '}' in exponent of numeric literal"],
  ['{"a":1E+}', "invalid character '}' in exponent of numeric literal"],
  ['{"a":01}', "invalid character '1' after object key:value pair"],
  ['{"a":0x1}', "invalid character 'x' after object key:value pair"],
  ['trux', "invalid character 'x' in literal true (expecting 'e')"],
  ['{"a":tr}', "invalid character '}' in literal true (expecting 'u')"],
  ['{"a":nulll}', "invalid character 'l' after object key:value pair"],
  ['{"a":[1,]}', "invalid character ']' looking for beginning of value"],
  ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
  ['{,}', "invalid character ',' looking for beginning of object key string"],
  ['x', "invalid character 'x' looking for beginning of value"],
  ['{"a":.5}', "invalid character '.' looking for beginning of value"],
  ['{"a":"\\u12g4"}', "invalid character 'g' in \\u hexadecimal character escape"],
  ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
  ['{\\', "invalid character '\\\\' looking for beginning of object key string"],
  ['{\u007f', "invalid character '\\x7f' looking for beginning of object key string"],
  ['{\n\tx', "invalid character 'x' looking for beginning of object key string"],
  ['{"a":', 'unexpected EOF'],
  ['{\t', 'unexpected EOF'],
  ['"abc', 'unexpected EOF'],
  ['tru', 'unexpected EOF'],
  ['-', 'unexpected EOF'],
  ['1.', 'unexpected EOF'],
  ['[1,', 'unexpected EOF'],
  ['{"a":"\\', 'unexpected EOF'],
];

describe("Go's JSON syntax errors", () => {
  it.each(REFERENCE_ANSWERS)('%s', (body, message) => {
    expect(scanFirstJsonValue(Buffer.from(body, 'utf8'))).toEqual({ kind: 'error', message });
  });

  it('quotes a byte above 0x7f as the code point of the same value', () => {
    expect(scanFirstJsonValue(Buffer.from('{é', 'utf8'))).toEqual({
      kind: 'error',
      message: "invalid character 'Ã' looking for beginning of object key string",
    });
  });

  it('refuses nesting deeper than 10000', () => {
    expect(scanFirstJsonValue(Buffer.from('['.repeat(10_001)))).toEqual({
      kind: 'error',
      message: "invalid character '[' exceeded max depth",
    });
    expect(scanFirstJsonValue(Buffer.from('['.repeat(10_000)))).toEqual({ kind: 'error', message: 'unexpected EOF' });
  });

  it('stops at the end of the first value and ignores what follows', () => {
    expect(scanFirstJsonValue(Buffer.from('{"command":"true"}  {'))).toEqual({ kind: 'value', end: 18 });
    expect(scanFirstJsonValue(Buffer.from('{}}'))).toEqual({ kind: 'value', end: 2 });
    expect(scanFirstJsonValue(Buffer.from('[1, {"a": [true, false, null]}] x'))).toEqual({ kind: 'value', end: 31 });
    expect(scanFirstJsonValue(Buffer.from('1x'))).toEqual({ kind: 'value', end: 1 });
    expect(scanFirstJsonValue(Buffer.from(' -1.5e+3'))).toEqual({ kind: 'value', end: 8 });
    expect(scanFirstJsonValue(Buffer.from('"a\\n\\u00e9b" '))).toEqual({ kind: 'value', end: 12 });
  });

  it('calls an empty or whitespace-only body empty', () => {
    expect(scanFirstJsonValue(Buffer.from(''))).toEqual({ kind: 'empty' });
    expect(scanFirstJsonValue(Buffer.from(' \n\t\r'))).toEqual({ kind: 'empty' });
  });
});
