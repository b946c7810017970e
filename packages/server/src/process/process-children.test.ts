import { spawn } from 'node:child_process';
import { until } from '@sandproc/test-utils';
import { describe, expect, it } from 'vitest';
import { childrenOf } from './process-children.js';
import { readProcessStat } from './process-stat.js';

describe('childrenOf', () => {
  it("lists a process's children, from every thread, and nothing for a process that is gone", async () => {
    // A shell with two children of its own, in a process group of their own (killed together).
    const shell = spawn('sh', ['-c', 'sleep 30 & sleep 30 & wait'], { stdio: 'ignore', detached: true });
    const pid = shell.pid as number;
    try {
      await until(() => (childrenOf(pid) ?? []).length === 2);
      for (const child of childrenOf(pid) ?? []) expect(readProcessStat(child)?.parentPid).toBe(pid);
      // Node runs several threads; the children of each are read, this process's shell among them.
      expect(childrenOf(process.pid)).toContain(pid);
    } finally {
      process.kill(-pid, 'SIGKILL');
    }
    await until(() => shell.exitCode !== null || shell.signalCode !== null);
    expect(childrenOf(pid)).toEqual([]);
  });
});
