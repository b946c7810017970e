import { countNewlines } from '../process/count-lines.js';

/**
 * A WebAssembly loop that copies lines and writes a prefix before each one:
 * `prefix(input, length, output, prefixLength) -> bytes written`, the prefix being at address 0.
 * Hand-assembled from this text (no build step, no dependency):
 *
 * ```wat
 * (module (memory (export "memory") 1)
 *   (func (export "prefix") (param $in i32) (param $len i32) (param $out i32) (param $plen i32) (result i32)
 *     (local $end i32) (local $w i32) (local $c i32) (local $start i32)
 *     (local.set $w (local.get $out)) (local.set $end (i32.add (local.get $in) (local.get $len)))
 *     (local.set $start (i32.const 1))
 *     (block $done (loop $next
 *       (br_if $done (i32.ge_u (local.get $in) (local.get $end)))
 *       (if (local.get $start) (then
 *         (memory.copy (local.get $w) (i32.const 0) (local.get $plen))
 *         (local.set $w (i32.add (local.get $w) (local.get $plen))) (local.set $start (i32.const 0))))
 *       (local.set $c (i32.load8_u (local.get $in)))
 *       (i32.store8 (local.get $w) (local.get $c))
 *       (local.set $w (i32.add (local.get $w) (i32.const 1))) (local.set $in (i32.add (local.get $in) (i32.const 1)))
 *       (local.set $start (i32.eq (local.get $c) (i32.const 10)))
 *       (br $next)))
 *     (i32.sub (local.get $w) (local.get $out))))
 * ```
 */
const MODULE_BYTES = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x09, 0x01, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f,
  0x03, 0x02, 0x01, 0x00,
  0x05, 0x03, 0x01, 0x00, 0x01,
  0x07, 0x13, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x06, 0x70, 0x72, 0x65, 0x66, 0x69, 0x78, 0x00, 0x00,
  0x0a, 0x00, // code section size, patched below
  0x01, 0x00, // one body, body size patched below
  0x01, 0x04, 0x7f,
  0x20, 0x02, 0x21, 0x05,
  0x20, 0x00, 0x20, 0x01, 0x6a, 0x21, 0x04,
  0x41, 0x01, 0x21, 0x07,
  0x02, 0x40, 0x03, 0x40,
  0x20, 0x00, 0x20, 0x04, 0x4f, 0x0d, 0x01,
  0x20, 0x07, 0x04, 0x40,
  0x20, 0x05, 0x41, 0x00, 0x20, 0x03, 0xfc, 0x0a, 0x00, 0x00,
  0x20, 0x05, 0x20, 0x03, 0x6a, 0x21, 0x05,
  0x41, 0x00, 0x21, 0x07,
  0x0b,
  0x20, 0x00, 0x2d, 0x00, 0x00, 0x21, 0x06,
  0x20, 0x05, 0x20, 0x06, 0x3a, 0x00, 0x00,
  0x20, 0x05, 0x41, 0x01, 0x6a, 0x21, 0x05,
  0x20, 0x00, 0x41, 0x01, 0x6a, 0x21, 0x00,
  0x20, 0x06, 0x41, 0x0a, 0x46, 0x21, 0x07,
  0x0c, 0x00,
  0x0b, 0x0b,
  0x20, 0x05, 0x20, 0x02, 0x6b,
  0x0b,
]);
const CODE_SECTION_AT = 49;
MODULE_BYTES[CODE_SECTION_AT + 1] = MODULE_BYTES.length - CODE_SECTION_AT - 2;
MODULE_BYTES[CODE_SECTION_AT + 3] = MODULE_BYTES.length - CODE_SECTION_AT - 4;

const PAGE_BYTES = 65_536;
/** Where the input is copied in the module's memory (the prefix sits before it). */
const INPUT_AT = 64;

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
 * `data` (whole lines, each ending with a newline) with `prefix` before every line, as a new
 * buffer. The copy loop runs in WebAssembly: a JavaScript byte loop costs several times more per
 * byte, and a native copy per line costs a call per line.
 */
export function prefixEveryLine(data: Uint8Array, prefix: Uint8Array): Buffer {
  if (data.length === 0) return Buffer.alloc(0);
  const { memory, prefix: run } = exports();
  const lineStarts = countNewlines(data) + 1;
  const outputLength = data.length + lineStarts * prefix.length;
  const outputAt = INPUT_AT + data.length;
  const needed = outputAt + outputLength;
  if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE_BYTES));
  const bytes = new Uint8Array(memory.buffer);
  bytes.set(prefix, 0);
  bytes.set(data, INPUT_AT);
  const written = run(INPUT_AT, data.length, outputAt, prefix.length);
  const output = Buffer.allocUnsafe(written);
  output.set(bytes.subarray(outputAt, outputAt + written));
  return output;
}
