import { describe, expect, it } from 'vitest';
import { OutputBuffers } from './output-buffers.js';

describe('OutputBuffers', () => {
  it('reuses the memory of a buffer handed back, and never hands it out twice', () => {
    const pool = new OutputBuffers(1024, 2);
    const first = pool.take(100);
    expect(first.length).toBe(100);
    pool.give(first);
    const second = pool.take(1000);
    expect(second.length).toBe(1000);
    expect(second.buffer).toBe(first.buffer);
    const third = pool.take(10);
    expect(third.buffer).not.toBe(second.buffer);
  });

  it('gives a buffer of its own to a request above the capacity, and keeps no more than maxFree', () => {
    const pool = new OutputBuffers(1024, 1);
    const large = pool.take(5000);
    expect(large.length).toBe(5000);
    pool.give(large);
    expect(pool.take(10).buffer).not.toBe(large.buffer);
    const [a, b] = [pool.take(10), pool.take(10)];
    pool.give(a);
    pool.give(b);
    const [c, d] = [pool.take(10), pool.take(10)];
    expect(c.buffer).toBe(a.buffer);
    expect(d.buffer).not.toBe(b.buffer);
    // A small buffer from Node's shared pool is never taken in.
    const shared = Buffer.allocUnsafe(10);
    pool.give(shared);
    expect(pool.take(10).buffer).not.toBe(shared.buffer);
  });
});
