import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../testing/test-server.js';
import { FifoPool } from './fifo-pool.js';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function freshDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'fifo-pool-'));
  directories.push(directory);
  return directory;
}

describe('FifoPool', () => {
  it('makes its first batch in the background, before anything is taken', async () => {
    const directory = freshDirectory();
    new FifoPool(directory);
    await pollUntil(() => readdirSync(directory).length === 32);
    for (const name of readdirSync(directory)) expect(lstatSync(join(directory, name)).isFIFO()).toBe(true);
  });

  it('hands out each FIFO once, across batches, made at once when a burst empties the stock', () => {
    const pool = new FifoPool(freshDirectory());
    const taken = Array.from({ length: 100 }, () => pool.take());
    expect(taken.every((path) => path !== undefined && lstatSync(path).isFIFO())).toBe(true);
    expect(new Set(taken).size).toBe(100);
  });

  it('close() waits for the background batch, then hands out none (the directory can be removed)', async () => {
    const directory = freshDirectory();
    const pool = new FifoPool(directory);
    await pool.close();
    rmSync(directory, { recursive: true });
    expect(pool.take()).toBeUndefined();
    expect(() => readdirSync(directory)).toThrow(/ENOENT/);
  });

  it('has none where the directory is gone', () => {
    const directory = freshDirectory();
    rmSync(directory, { recursive: true });
    expect(new FifoPool(directory).take()).toBeUndefined();
  });
});
