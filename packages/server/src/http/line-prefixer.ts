import { countNewlines } from '../process/count-lines.js';

/** Signed LEB128 encoding of a 64-bit constant (the immediate of `i64.const`). */
function signedLeb128(value: bigint): number[] {
  const bytes: number[] = [];
  let rest = BigInt.asIntN(64, value);
  for (;;) {
    const byte = Number(rest & 0x7fn);
    rest >>= 7n;
    const done = (rest === 0n && (byte & 0x40) === 0) || (rest === -1n && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

/** Unsigned LEB128 encoding of a size. */
function unsignedLeb128(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  do {
    const byte = rest & 0x7f;
    rest >>>= 7;
    bytes.push(rest === 0 ? byte : byte | 0x80);
  } while (rest !== 0);
  return bytes;
}

const i64Const = (value: bigint): number[] => [0x42, ...signedLeb128(value)];
const NEWLINE_IN_EVERY_BYTE = i64Const(0x0a0a_0a0a_0a0a_0a0an);
const ONE_IN_EVERY_BYTE = i64Const(0x0101_0101_0101_0101n);
const HIGH_BIT_OF_EVERY_BYTE = i64Const(0x8080_8080_8080_8080n);

/**
 * A WebAssembly loop that copies lines eight bytes at a time and writes a prefix (at most 8 bytes)
 * before each one: `prefix(input, length, output, prefixLength) -> bytes written`, the prefix
 * being at address 0. Each step loads a 64-bit word, stores it whole at the output, finds its
 * first newline with a zero-byte test (exact for the lowest hit) and advances past it (or by 8),
 * then stores the prefix as one word. It may read 8 bytes past the input and write 8 past the
 * output. Hand-assembled from this text (no build step, no dependency):
 *
 * ```wat
 * (module (memory (export "memory") 1)
 *   (func (export "prefix") (param $in i32) (param $len i32) (param $out i32) (param $plen i32) (result i32)
 *     (local $end i32) (local $w i32) (local $step i32) (local $word i64) (local $hits i64) (local $pw i64)
 *     (local.set $end (i32.add (local.get $in) (local.get $len)))
 *     (local.set $w (local.get $out))
 *     (local.set $pw (i64.load (i32.const 0)))
 *     (i64.store (local.get $w) (local.get $pw))
 *     (local.set $w (i32.add (local.get $w) (local.get $plen)))
 *     (block $done (loop $next
 *       (local.set $word (i64.load (local.get $in)))
 *       (local.set $hits (i64.xor (local.get $word) (i64.const 0x0a0a0a0a0a0a0a0a)))
 *       (local.set $hits (i64.and (i64.and (i64.sub (local.get $hits) (i64.const 0x0101010101010101))
 *                                          (i64.xor (local.get $hits) (i64.const -1)))
 *                                 (i64.const 0x8080808080808080)))
 *       (i64.store (local.get $w) (local.get $word))
 *       (local.set $step (select (i32.add (i32.shr_u (i32.wrap_i64 (i64.ctz (local.get $hits))) (i32.const 3)) (i32.const 1))
 *                                (i32.const 8) (i64.ne (local.get $hits) (i64.const 0))))
 *       (local.set $step (select (local.get $step) (i32.sub (local.get $end) (local.get $in))
 *                                (i32.lt_u (local.get $step) (i32.sub (local.get $end) (local.get $in)))))
 *       (local.set $in (i32.add (local.get $in) (local.get $step)))
 *       (local.set $w (i32.add (local.get $w) (local.get $step)))
 *       (br_if $done (i32.ge_u (local.get $in) (local.get $end)))
 *       (if (i64.ne (local.get $hits) (i64.const 0)) (then
 *         (i64.store (local.get $w) (local.get $pw))
 *         (local.set $w (i32.add (local.get $w) (local.get $plen)))))
 *       (br $next)))
 *     (i32.sub (local.get $w) (local.get $out))))
 * ```
 */
// biome-ignore format: one instruction per line, each with its meaning
const BODY = [
  0x02, 0x03, 0x7f, 0x03, 0x7e, // locals: 3 x i32 ($end $w $step), 3 x i64 ($word $hits $pw)
  0x20, 0x00, 0x20, 0x01, 0x6a, 0x21, 0x04, // end = in + len
  0x20, 0x02, 0x21, 0x05, // w = out
  0x41, 0x00, 0x29, 0x00, 0x00, 0x21, 0x09, // pw = i64.load(0)
  0x20, 0x05, 0x20, 0x09, 0x37, 0x00, 0x00, // i64.store(w, pw)
  0x20, 0x05, 0x20, 0x03, 0x6a, 0x21, 0x05, // w += plen
  0x02, 0x40, 0x03, 0x40, // block $done, loop $next
  0x20, 0x00, 0x29, 0x00, 0x00, 0x21, 0x07, // word = i64.load(in)
  0x20, 0x07, ...NEWLINE_IN_EVERY_BYTE, 0x85, 0x21, 0x08, // hits = word ^ newlines
  0x20, 0x08, ...ONE_IN_EVERY_BYTE, 0x7d, 0x20, 0x08, 0x42, 0x7f, 0x85, 0x83, ...HIGH_BIT_OF_EVERY_BYTE, 0x83, 0x21, 0x08, // hits = (hits - ones) & ~hits & highs
  0x20, 0x05, 0x20, 0x07, 0x37, 0x00, 0x00, // i64.store(w, word)
  0x20, 0x08, 0x7a, 0xa7, 0x41, 0x03, 0x76, 0x41, 0x01, 0x6a, 0x41, 0x08, 0x20, 0x08, 0x42, 0x00, 0x52, 0x1b, 0x21, 0x06, // step
  0x20, 0x06, 0x20, 0x04, 0x20, 0x00, 0x6b, 0x20, 0x06, 0x20, 0x04, 0x20, 0x00, 0x6b, 0x49, 0x1b, 0x21, 0x06, // step = min(step, end - in)
  0x20, 0x00, 0x20, 0x06, 0x6a, 0x21, 0x00, // in += step
  0x20, 0x05, 0x20, 0x06, 0x6a, 0x21, 0x05, // w += step
  0x20, 0x00, 0x20, 0x04, 0x4f, 0x0d, 0x01, // br_if $done (in >= end)
  0x20, 0x08, 0x42, 0x00, 0x52, 0x04, 0x40, // if hits != 0
  0x20, 0x05, 0x20, 0x09, 0x37, 0x00, 0x00, //   i64.store(w, pw)
  0x20, 0x05, 0x20, 0x03, 0x6a, 0x21, 0x05, //   w += plen
  0x0b, 0x0c, 0x00, // end if, br $next
  0x0b, 0x0b, // end loop, end block
  0x20, 0x05, 0x20, 0x02, 0x6b, // w - out
  0x0b,
];

// biome-ignore format: one module section per line, each with its meaning
const MODULE_BYTES = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x09, 0x01, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, // type: (i32 i32 i32 i32) -> i32
  0x03, 0x02, 0x01, 0x00, // one function of that type
  0x05, 0x03, 0x01, 0x00, 0x01, // one memory, one page
  0x07, 0x13, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x06, 0x70, 0x72, 0x65, 0x66, 0x69, 0x78, 0x00, 0x00,
  0x0a, ...unsignedLeb128(1 + unsignedLeb128(BODY.length).length + BODY.length), 0x01, ...unsignedLeb128(BODY.length), // code section: one body
  ...BODY,
]);

const PAGE_BYTES = 65_536;
/** Where the input is copied in the module's memory (the prefix sits before it). */
const INPUT_AT = 64;
/** Room after the input and after the output for the loop's whole-word reads and writes. */
const SLACK_BYTES = 16;
/** Longest prefix: it is stored as one 64-bit word. */
export const MAX_PREFIX_BYTES = 8;

interface PrefixExports {
  memory: WebAssembly.Memory;
  prefix: (input: number, length: number, output: number, prefixLength: number) => number;
}

let instance: PrefixExports | undefined;

function exports(): PrefixExports {
  instance ??= new WebAssembly.Instance(new WebAssembly.Module(MODULE_BYTES)).exports as unknown as PrefixExports;
  return instance;
}

/**
 * `data` (whole lines, each ending with a newline) with `prefix` (at most 8 bytes) before every
 * line, as a new buffer. `lineCount`, the number of newlines in `data`, spares counting them when
 * the caller knows it. The copy loop runs in WebAssembly, eight bytes at a time: a JavaScript byte
 * loop costs about four times more, and a native copy per line costs a call per line.
 */
export function prefixEveryLine(data: Uint8Array, prefix: Uint8Array, lineCount = countNewlines(data)): Buffer {
  if (prefix.length > MAX_PREFIX_BYTES) throw new RangeError(`a line prefix has at most ${MAX_PREFIX_BYTES} bytes`);
  if (data.length === 0) return Buffer.alloc(0);
  const { memory, prefix: run } = exports();
  const outputLength = data.length + (lineCount + 1) * prefix.length;
  const outputAt = INPUT_AT + data.length + SLACK_BYTES;
  const needed = outputAt + outputLength + SLACK_BYTES;
  if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE_BYTES));
  const bytes = new Uint8Array(memory.buffer);
  bytes.set(prefix, 0);
  bytes.set(data, INPUT_AT);
  const written = run(INPUT_AT, data.length, outputAt, prefix.length);
  const output = Buffer.allocUnsafe(written);
  output.set(bytes.subarray(outputAt, outputAt + written));
  return output;
}
