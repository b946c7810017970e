import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { currentProcessIdentity, type ProcessIdentity } from './process-identity.js';
import { OWNER_FILE, removeStaleRunDirectories } from './run-directory-owner.js';

const parents: string[] = [];
afterEach(() => {
  for (const parent of parents.splice(0)) rmSync(parent, { recursive: true, force: true });
});

function runDirectory(parent: string, name: string, owner?: Partial<ProcessIdentity>): string {
  const path = join(parent, `sandproc-run-${name}`);
  mkdirSync(path);
  writeFileSync(join(path, 'output.dat'), 'output');
  if (owner !== undefined) writeFileSync(join(path, OWNER_FILE), JSON.stringify(owner));
  return path;
}

describe.skipIf(currentProcessIdentity() === undefined)('removeStaleRunDirectories', () => {
  it('removes only run directories whose server is gone beyond doubt', () => {
    const parent = mkdtempSync(join(tmpdir(), 'sandproc-sweep-'));
    parents.push(parent);
    const self = currentProcessIdentity() as ProcessIdentity;
    const own = runDirectory(parent, 'own', self);
    const live = runDirectory(parent, 'live', self);
    const pidReused = runDirectory(parent, 'reused', { ...self, startTicks: self.startTicks + 1 });
    const earlierBoot = runDirectory(parent, 'boot', { ...self, bootId: 'another-boot' });
    const otherMachine = runDirectory(parent, 'machine', {
      ...self,
      machineId: 'another-machine',
      bootId: 'another-boot',
    });
    const otherNamespace = runDirectory(parent, 'namespace', {
      ...self,
      pidNamespace: 'pid:[1]',
      startTicks: self.startTicks + 1,
    });
    const noOwner = runDirectory(parent, 'unknown');
    const unreadable = runDirectory(parent, 'garbled', { pid: 'x' } as unknown as ProcessIdentity);
    mkdirSync(join(parent, 'not-a-run-directory'));

    const removed = removeStaleRunDirectories(parent, own);

    expect(removed.sort()).toEqual([earlierBoot, pidReused].sort());
    for (const kept of [
      own,
      live,
      otherMachine,
      otherNamespace,
      noOwner,
      unreadable,
      join(parent, 'not-a-run-directory'),
    ])
      expect(() => mkdirSync(kept)).toThrow(/EEXIST/);
  });

  it('keeps the given directory even when its owner file would call it stale', () => {
    const parent = mkdtempSync(join(tmpdir(), 'sandproc-sweep-'));
    parents.push(parent);
    const self = currentProcessIdentity() as ProcessIdentity;
    const own = runDirectory(parent, 'own', { ...self, bootId: 'another-boot' });
    expect(removeStaleRunDirectories(parent, own)).toEqual([]);
  });
});
