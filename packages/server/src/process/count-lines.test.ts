import { describe, expect, it } from 'vitest';
import { countNewlines } from './count-lines.js';

function byteLoopCount(bytes: Uint8Array): number {
  let count = 0;
  for (const byte of bytes) if (byte === 0x0a) count++;
  return count;
}

describe('countNewlines', () => {
  it('counts runs made only of newlines, across 64 KiB pieces', () => {
    const newlines = Buffer.alloc(100_003, 0x0a);
    expect(countNewlines(newlines)).toBe(100_003);
    expect(countNewlines(newlines.subarray(1))).toBe(100_002);
    expect(countNewlines(Buffer.alloc(0))).toBe(0);
    // Newlines left in memory by the last count are not counted again.
    expect(countNewlines(Buffer.from('abc'))).toBe(0);
    expect(countNewlines(Buffer.from('a\nb'))).toBe(1);
  });

  it('agrees with a byte loop on any alignment and bytes next to a newline', () => {
    const alphabet = [0x09, 0x0a, 0x0b, 0x8a, 0x00, 0xff, 0x0a, 0x7f];
    const data = Buffer.alloc(20_000);
    let seed = 7;
    for (let index = 0; index < data.length; index++) {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      data[index] = alphabet[(seed >>> 8) % alphabet.length] ?? 0;
    }
    for (let start = 0; start < 9; start++) {
      for (const end of [start, start + 3, start + 517, data.length - 5, data.length]) {
        const slice = data.subarray(start, end);
        expect(countNewlines(slice)).toBe(byteLoopCount(slice));
      }
    }
  });
});
