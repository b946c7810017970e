import { countNewlines } from '../process/count-lines.js';

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

/** Local variables of the function, by index: its four parameters first. */
const IN = 0;
const LENGTH = 1;
const OUT = 2;
const PREFIX_LENGTH = 3;
const END = 4;
const WRITE_AT = 5;
const BASE = 6;
const START = 7;
const AFTER_NEWLINE = 8;
const COPIED = 9;
const MASK = 10;
const PREFIX_WORD = 11;
const NEWLINES = 12;
const get = (local: number): number[] => [0x20, local];
const set = (local: number): number[] => [0x21, local];
/** `v128.store(w + copied, v128.load(start + copied))`: 16 bytes of a line copied as one. */
// biome-ignore format: one instruction
const COPY_16_BYTES = [...get(WRITE_AT), ...get(COPIED), 0x6a, ...get(START), ...get(COPIED), 0x6a, 0xfd, 0x00, 0x04, 0x00, 0xfd, 0x0b, 0x04, 0x00];

/**
 * A WebAssembly loop that copies lines sixteen bytes at a time and writes a prefix (at most 8
 * bytes) before each one: `prefix(input, length, output, prefixLength) -> bytes written`, the
 * prefix being at address 0. It scans the input in fixed steps of 16 bytes (SIMD: one compare
 * and a bit mask of the newlines), and for each newline of the mask copies the line up to it in
 * 16-byte pieces (a line of up to 16 bytes in one, without a loop), then stores the prefix as one
 * word. Each line costs a few instructions, none waiting on the search for the next newline. It
 * may read 16 bytes past the input and write 16 past the output. Hand-assembled from this text
 * (no build step, no dependency):
 *
 * ```wat
 * (module (memory (export "memory") 1)
 *   (func (export "prefix") (param $in i32) (param $len i32) (param $out i32) (param $plen i32) (result i32)
 *     (local $end i32) (local $w i32) (local $base i32) (local $start i32) (local $at i32) (local $copied i32)
 *     (local $mask i32) (local $pw i64) (local $newlines v128)
 *     (local.set $end (i32.add (local.get $in) (local.get $len)))
 *     (local.set $pw (i64.load (i32.const 0)))
 *     (local.set $newlines (i8x16.splat (i32.const 10)))
 *     (i64.store (local.get $out) (local.get $pw))
 *     (local.set $w (i32.add (local.get $out) (local.get $plen)))
 *     (local.set $start (local.get $in))
 *     (local.set $base (local.get $in))
 *     (block $scanned (loop $scan
 *       (br_if $scanned (i32.ge_u (local.get $base) (local.get $end)))
 *       (local.set $mask (i8x16.bitmask (i8x16.eq (v128.load (local.get $base)) (local.get $newlines))))
 *       (if (i32.lt_u (i32.sub (local.get $end) (local.get $base)) (i32.const 16)) (then
 *         (local.set $mask (i32.and (local.get $mask)
 *           (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $end) (local.get $base))) (i32.const 1))))))
 *       (block $lines_done (loop $line
 *         (br_if $lines_done (i32.eqz (local.get $mask)))
 *         (local.set $at (i32.add (i32.add (local.get $base) (i32.ctz (local.get $mask))) (i32.const 1)))
 *         (v128.store (local.get $w) (v128.load (local.get $start)))
 *         (if (i32.gt_u (i32.sub (local.get $at) (local.get $start)) (i32.const 16)) (then
 *           (local.set $copied (i32.const 16))
 *           (loop $copy
 *             (v128.store (i32.add (local.get $w) (local.get $copied)) (v128.load (i32.add (local.get $start) (local.get $copied))))
 *             (local.set $copied (i32.add (local.get $copied) (i32.const 16)))
 *             (br_if $copy (i32.lt_u (local.get $copied) (i32.sub (local.get $at) (local.get $start)))))))
 *         (local.set $w (i32.add (local.get $w) (i32.sub (local.get $at) (local.get $start))))
 *         (i64.store (local.get $w) (local.get $pw))
 *         (local.set $w (i32.add (local.get $w) (local.get $plen)))
 *         (local.set $start (local.get $at))
 *         (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
 *         (br $line)))
 *       (local.set $base (i32.add (local.get $base) (i32.const 16)))
 *       (br $scan)))
 *     (if (i32.eq (local.get $start) (local.get $end)) (then
 *       (return (i32.sub (i32.sub (local.get $w) (local.get $plen)) (local.get $out)))))
 *     (local.set $copied (i32.const 0))
 *     (loop $tail
 *       (v128.store (i32.add (local.get $w) (local.get $copied)) (v128.load (i32.add (local.get $start) (local.get $copied))))
 *       (local.set $copied (i32.add (local.get $copied) (i32.const 16)))
 *       (br_if $tail (i32.lt_u (local.get $copied) (i32.sub (local.get $end) (local.get $start)))))
 *     (i32.sub (i32.add (local.get $w) (i32.sub (local.get $end) (local.get $start))) (local.get $out))))
 * ```
 */
// biome-ignore format: one instruction per line, each with its meaning
const BODY = [
  0x03, 0x07, 0x7f, 0x01, 0x7e, 0x01, 0x7b, // locals: 7 x i32 ($end $w $base $start $at $copied $mask), i64 $pw, v128 $newlines
  ...get(IN), ...get(LENGTH), 0x6a, ...set(END), // end = in + len
  0x41, 0x00, 0x29, 0x03, 0x00, ...set(PREFIX_WORD), // pw = i64.load(0): the prefix
  0x41, 0x0a, 0xfd, 0x0f, ...set(NEWLINES), // newlines = i8x16.splat(10)
  ...get(OUT), ...get(PREFIX_WORD), 0x37, 0x03, 0x00, // i64.store(out, pw): the first line's prefix
  ...get(OUT), ...get(PREFIX_LENGTH), 0x6a, ...set(WRITE_AT), // w = out + plen
  ...get(IN), ...set(START), // start = in
  ...get(IN), ...set(BASE), // base = in
  0x02, 0x40, 0x03, 0x40, // block $scanned, loop $scan
  ...get(BASE), ...get(END), 0x4f, 0x0d, 0x01, // br_if $scanned (base >= end)
  ...get(BASE), 0xfd, 0x00, 0x04, 0x00, ...get(NEWLINES), 0xfd, 0x23, 0xfd, 0x64, ...set(MASK), // mask = i8x16.bitmask(v128.load(base) == newlines)
  ...get(END), ...get(BASE), 0x6b, 0x41, 0x10, 0x49, 0x04, 0x40, // if end - base < 16
  ...get(MASK), 0x41, 0x01, ...get(END), ...get(BASE), 0x6b, 0x74, 0x41, 0x01, 0x6b, 0x71, ...set(MASK), //   mask &= (1 << (end - base)) - 1
  0x0b, // end if
  0x02, 0x40, 0x03, 0x40, // block $lines_done, loop $line
  ...get(MASK), 0x45, 0x0d, 0x01, // br_if $lines_done (mask == 0)
  ...get(BASE), ...get(MASK), 0x68, 0x6a, 0x41, 0x01, 0x6a, ...set(AFTER_NEWLINE), // at = base + ctz(mask) + 1
  ...get(WRITE_AT), ...get(START), 0xfd, 0x00, 0x04, 0x00, 0xfd, 0x0b, 0x04, 0x00, // v128.store(w, v128.load(start)): a short line whole
  ...get(AFTER_NEWLINE), ...get(START), 0x6b, 0x41, 0x10, 0x4b, 0x04, 0x40, // if at - start > 16 (a longer line)
  0x41, 0x10, ...set(COPIED), //   copied = 16
  0x03, 0x40, //   loop $copy
  ...COPY_16_BYTES, //     v128.store(w + copied, v128.load(start + copied))
  ...get(COPIED), 0x41, 0x10, 0x6a, ...set(COPIED), //     copied += 16
  ...get(COPIED), ...get(AFTER_NEWLINE), ...get(START), 0x6b, 0x49, 0x0d, 0x00, //     br_if $copy (copied < at - start)
  0x0b, 0x0b, //   end loop $copy, end if
  ...get(WRITE_AT), ...get(AFTER_NEWLINE), ...get(START), 0x6b, 0x6a, ...set(WRITE_AT), // w += at - start
  ...get(WRITE_AT), ...get(PREFIX_WORD), 0x37, 0x03, 0x00, // i64.store(w, pw): the next line's prefix
  ...get(WRITE_AT), ...get(PREFIX_LENGTH), 0x6a, ...set(WRITE_AT), // w += plen
  ...get(AFTER_NEWLINE), ...set(START), // start = at
  ...get(MASK), ...get(MASK), 0x41, 0x01, 0x6b, 0x71, ...set(MASK), // mask &= mask - 1
  0x0c, 0x00, // br $line
  0x0b, 0x0b, // end loop $line, end block $lines_done
  ...get(BASE), 0x41, 0x10, 0x6a, ...set(BASE), // base += 16
  0x0c, 0x00, // br $scan
  0x0b, 0x0b, // end loop $scan, end block $scanned
  ...get(START), ...get(END), 0x46, 0x04, 0x40, // if start == end (the input ended with a newline)
  ...get(WRITE_AT), ...get(PREFIX_LENGTH), 0x6b, ...get(OUT), 0x6b, 0x0f, //   return w - plen - out (not the prefix after the last line)
  0x0b, // end if
  0x41, 0x00, ...set(COPIED), // copied = 0
  0x03, 0x40, // loop $tail: the last line, without a newline
  ...COPY_16_BYTES, // v128.store(w + copied, v128.load(start + copied))
  ...get(COPIED), 0x41, 0x10, 0x6a, ...set(COPIED), // copied += 16
  ...get(COPIED), ...get(END), ...get(START), 0x6b, 0x49, 0x0d, 0x00, // br_if $tail (copied < end - start)
  0x0b, // end loop $tail
  ...get(WRITE_AT), ...get(END), ...get(START), 0x6b, 0x6a, ...get(OUT), 0x6b, // w + (end - start) - out
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
/** Room after the input and after the output for the loop's 16-byte reads and writes. */
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
 * the caller knows it; `allocate` gives the output buffer (default: a new one). The copy loop runs
 * in WebAssembly, sixteen bytes at a time: a JavaScript
 * byte loop costs several times more, and a native copy per line costs a call per line.
 */
export function prefixEveryLine(
  data: Uint8Array,
  prefix: Uint8Array,
  lineCount = countNewlines(data),
  allocate: (size: number) => Buffer = Buffer.allocUnsafe,
): Buffer {
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
  const output = allocate(written);
  output.set(bytes.subarray(outputAt, outputAt + written));
  return output;
}
