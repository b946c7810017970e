/**
 * Finds the first JSON value of a request body the way the real server reads it: Go's
 * `json.Decoder` (gin's `ShouldBindJSON`), whose scanner reports the first syntax error as
 * `invalid character 'X' <where>`, a body cut short as `unexpected EOF`, and an empty (or
 * whitespace-only) body as `EOF`. Like the decoder, it stops at the end of the first value:
 * what follows it is not read.
 */

/** Go's `maxNestingDepth`: deeper arrays and objects are refused. */
const MAX_NESTING_DEPTH = 10_000;

export type GoJsonScan =
  | { kind: 'value' /** Byte offset just after the first value. */; end: number }
  | { kind: 'empty' }
  | {
      kind: 'error' /** Go's text, e.g. `invalid character 'b' looking for beginning of object key string`. */;
      message: string;
    };

type Context = 'object-key' | 'object-value' | 'array-value';

/** Scans `body` (bytes) for its first JSON value as Go's decoder does. */
export function scanFirstJsonValue(body: Uint8Array): GoJsonScan {
  const scanner = new GoJsonScanner();
  for (let index = 0; index < body.length; index++) {
    const outcome = scanner.step(body[index] as number);
    if (outcome === 'end') return { kind: 'value', end: index };
    if (outcome === 'end-after') return { kind: 'value', end: index + 1 };
    if (typeof outcome === 'object') return { kind: 'error', message: outcome.error };
  }
  // At the end of input a number may be complete (`1`); anything else unfinished is cut short.
  if (scanner.step(0x20) === 'end') return { kind: 'value', end: body.length };
  return body.some((byte) => !isSpace(byte)) ? { kind: 'error', message: 'unexpected EOF' } : { kind: 'empty' };
}

/** `continue`, the value ended before this byte (`end`), with this byte (`end-after`), or an error. */
type Outcome = 'continue' | 'end' | 'end-after' | { error: string };

/** A transcription of the state machine of Go's `encoding/json/scanner.go`. */
class GoJsonScanner {
  #state: (byte: number) => Outcome = (byte) => this.#beginValue(byte);
  readonly #contexts: Context[] = [];

  step(byte: number): Outcome {
    return this.#state(byte);
  }

  #next(state: (byte: number) => Outcome): Outcome {
    this.#state = state;
    return 'continue';
  }

  #push(byte: number, context: Context, state: (byte: number) => Outcome): Outcome {
    this.#contexts.push(context);
    if (this.#contexts.length > MAX_NESTING_DEPTH) return failure(byte, 'exceeded max depth');
    return this.#next(state);
  }

  #beginValue(byte: number): Outcome {
    if (isSpace(byte)) return 'continue';
    switch (byte) {
      case 0x7b /* { */:
        return this.#push(byte, 'object-key', (next) => this.#beginStringOrEmpty(next));
      case 0x5b /* [ */:
        return this.#push(byte, 'array-value', (next) => this.#beginValueOrEmpty(next));
      case 0x22 /* " */:
        return this.#next((next) => this.#inString(next));
      case 0x2d /* - */:
        return this.#next((next) => this.#negative(next));
      case 0x30 /* 0 */:
        return this.#next((next) => this.#zero(next));
      case 0x74 /* t */:
        return this.#literal('true');
      case 0x66 /* f */:
        return this.#literal('false');
      case 0x6e /* n */:
        return this.#literal('null');
    }
    if (isDigit(byte)) return this.#next((next) => this.#integer(next));
    return failure(byte, 'looking for beginning of value');
  }

  #beginValueOrEmpty(byte: number): Outcome {
    if (isSpace(byte)) return 'continue';
    if (byte === 0x5d /* ] */) return this.#endValue(byte);
    return this.#beginValue(byte);
  }

  #beginStringOrEmpty(byte: number): Outcome {
    if (isSpace(byte)) return 'continue';
    if (byte === 0x7d /* } */) {
      this.#contexts[this.#contexts.length - 1] = 'object-value';
      return this.#endValue(byte);
    }
    return this.#beginString(byte);
  }

  #beginString(byte: number): Outcome {
    if (isSpace(byte)) return 'continue';
    if (byte === 0x22) return this.#next((next) => this.#inString(next));
    return failure(byte, 'looking for beginning of object key string');
  }

  #endValue(byte: number): Outcome {
    const depth = this.#contexts.length;
    if (depth === 0) return 'end';
    if (isSpace(byte)) return this.#next((next) => this.#endValue(next));
    switch (this.#contexts[depth - 1]) {
      case 'object-key':
        if (byte !== 0x3a /* : */) return failure(byte, 'after object key');
        this.#contexts[depth - 1] = 'object-value';
        return this.#next((next) => this.#beginValue(next));
      case 'object-value':
        if (byte === 0x2c /* , */) {
          this.#contexts[depth - 1] = 'object-key';
          return this.#next((next) => this.#beginString(next));
        }
        if (byte === 0x7d /* } */) return this.#pop();
        return failure(byte, 'after object key:value pair');
      default:
        if (byte === 0x2c) return this.#next((next) => this.#beginValue(next));
        if (byte === 0x5d /* ] */) return this.#pop();
        return failure(byte, 'after array element');
    }
  }

  #pop(): Outcome {
    this.#contexts.pop();
    if (this.#contexts.length === 0) return 'end-after';
    return this.#next((next) => this.#endValue(next));
  }

  #inString(byte: number): Outcome {
    if (byte === 0x22) return this.#next((next) => this.#endValue(next));
    if (byte === 0x5c /* \ */) return this.#next((next) => this.#inStringEscape(next));
    if (byte < 0x20) return failure(byte, 'in string literal');
    return 'continue';
  }

  #inStringEscape(byte: number): Outcome {
    if ('bfnrt\\/"'.includes(String.fromCharCode(byte))) return this.#next((next) => this.#inString(next));
    if (byte === 0x75 /* u */) return this.#next((next) => this.#unicodeEscape(next, 3));
    return failure(byte, 'in string escape code');
  }

  #unicodeEscape(byte: number, remaining: number): Outcome {
    if (!isHexDigit(byte)) return failure(byte, 'in \\u hexadecimal character escape');
    if (remaining === 0) return this.#next((next) => this.#inString(next));
    return this.#next((next) => this.#unicodeEscape(next, remaining - 1));
  }

  #negative(byte: number): Outcome {
    if (byte === 0x30) return this.#next((next) => this.#zero(next));
    if (isDigit(byte)) return this.#next((next) => this.#integer(next));
    return failure(byte, 'in numeric literal');
  }

  #integer(byte: number): Outcome {
    if (isDigit(byte)) return 'continue';
    return this.#zero(byte);
  }

  #zero(byte: number): Outcome {
    if (byte === 0x2e /* . */) return this.#next((next) => this.#decimalPoint(next));
    if (byte === 0x65 || byte === 0x45 /* e E */) return this.#next((next) => this.#exponent(next));
    return this.#endValue(byte);
  }

  #decimalPoint(byte: number): Outcome {
    if (isDigit(byte)) return this.#next((next) => this.#fraction(next));
    return failure(byte, 'after decimal point in numeric literal');
  }

  #fraction(byte: number): Outcome {
    if (isDigit(byte)) return 'continue';
    if (byte === 0x65 || byte === 0x45) return this.#next((next) => this.#exponent(next));
    return this.#endValue(byte);
  }

  #exponent(byte: number): Outcome {
    if (byte === 0x2b || byte === 0x2d /* + - */) return this.#next((next) => this.#exponentSign(next));
    return this.#exponentSign(byte);
  }

  #exponentSign(byte: number): Outcome {
    if (isDigit(byte)) return this.#next((next) => this.#exponentDigits(next));
    return failure(byte, 'in exponent of numeric literal');
  }

  #exponentDigits(byte: number): Outcome {
    if (isDigit(byte)) return 'continue';
    return this.#endValue(byte);
  }

  /** `true`, `false`, `null`: the first letter is read; each next one is expected in turn. */
  #literal(word: string): Outcome {
    const expectAt = (position: number): Outcome =>
      this.#next((byte) => {
        const expected = word.charCodeAt(position);
        if (byte !== expected) return failure(byte, `in literal ${word} (expecting ${quoteCharacter(expected)})`);
        return position === word.length - 1 ? this.#next((next) => this.#endValue(next)) : expectAt(position + 1);
      });
    return expectAt(1);
  }
}

function failure(byte: number, where: string): Outcome {
  return { error: `invalid character ${quoteCharacter(byte)} ${where}` };
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

function isHexDigit(byte: number): boolean {
  return isDigit(byte) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46);
}

const SHORT_ESCAPES: Record<number, string> = {
  7: '\\a',
  8: '\\b',
  9: '\\t',
  10: '\\n',
  11: '\\v',
  12: '\\f',
  13: '\\r',
  92: '\\\\',
};

/**
 * Go's `quoteChar`: the byte read as the code point of the same value, between single quotes,
 * escaped as `strconv.Quote` escapes it (`'\''` and `'"'` as special cases).
 */
export function quoteCharacter(byte: number): string {
  if (byte === 0x27) return "'\\''";
  if (byte === 0x22) return `'"'`;
  const short = SHORT_ESCAPES[byte];
  if (short !== undefined) return `'${short}'`;
  if (byte < 0x20 || byte === 0x7f) return `'\\x${byte.toString(16).padStart(2, '0')}'`;
  // U+0080–U+009F (controls), U+00A0 (no-break space) and U+00AD (soft hyphen) are not printable for Go.
  if ((byte >= 0x80 && byte <= 0xa0) || byte === 0xad) return `'\\u00${byte.toString(16).padStart(2, '0')}'`;
  return `'${String.fromCharCode(byte)}'`;
}
