import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirectory } from './make-directory.js';

const directory = mkdtempSync(join(tmpdir(), 'make-directory-test-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('makeDirectory', () => {
  it('makes missing parents, accepts an existing directory, refuses a file', () => {
    const nested = join(directory, 'a', 'b', 'c');
    makeDirectory(nested);
    expect(statSync(nested).isDirectory()).toBe(true);
    makeDirectory(nested);
    const file = join(directory, 'file');
    writeFileSync(file, '');
    expect(() => makeDirectory(file)).toThrow(/EEXIST/);
    expect(() => makeDirectory(join(file, 'below'))).toThrow(/ENOTDIR/);
  });

  it.skipIf(process.platform !== 'linux')('fails at once where a parent cannot hold children (/proc)', () => {
    expect(() => makeDirectory('/proc/sandproc-no-such-directory/run')).toThrow(/ENOENT/);
  });
});
