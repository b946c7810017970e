import { describe, expect, it } from 'vitest';
import { bubblewrapUnavailable } from './testing/bubblewrap.js';
import { startTestServer } from './testing/test-server.js';

const isolatedUnavailable = bubblewrapUnavailable();
const modes: Array<{ label: string; isolate: boolean }> = [{ label: 'default mode', isolate: false }];
if (isolatedUnavailable === undefined) modes.push({ label: 'isolated mode', isolate: true });
else console.warn(`command limits in isolated mode not tested: ${isolatedUnavailable}`);

describe.each(modes)('per-command limits in $label', ({ isolate }) => {
  it('maxProcesses refuses a start past it with 422 and starts nothing', async () => {
    const sandbox = await startTestServer({ isolate, maxProcesses: 2 });
    try {
      const first = await sandbox.exec({ command: 'sleep 60' });
      const second = await sandbox.exec({ command: 'sleep 60' });
      expect([first.status, second.status]).toEqual([200, 200]);
      const refused = await sandbox.exec({ command: 'echo never' });
      expect(refused.status).toBe(422);
      expect(refused.json).toEqual({ error: expect.stringContaining('too many processes') });
      expect(sandbox.server.stats().processes).toBe(2);
      expect((await sandbox.request('DELETE', `/process/${first.json.pid}/kill`)).status).toBe(200);
      await sandbox.waitForStatus(first.json.pid, (process) => process.status !== 'running');
      expect((await sandbox.exec({ command: 'echo now', waitForCompletion: true })).json).toMatchObject({
        status: 'completed',
        stdout: 'now\n',
      });
    } finally {
      await sandbox.server.close();
    }
  });

  it('a command past its CPU time fails with a clear message; the server stays up', async () => {
    const sandbox = await startTestServer({ isolate, maxCpuSeconds: 1 });
    try {
      const { json } = await sandbox.exec({ command: 'node -e "for (;;) {}"', waitForCompletion: true });
      expect(json.status).toBe('failed');
      expect(json.stderr).toContain('CPU time limit of 1 s per process');
      const { json: next } = await sandbox.exec({ command: 'echo still-up', waitForCompletion: true });
      expect(next).toMatchObject({ status: 'completed', stdout: 'still-up\n' });
    } finally {
      await sandbox.server.close();
    }
  });

  it('a command past its memory fails with a clear message; the server stays up', async () => {
    const sandbox = await startTestServer({ isolate, maxMemoryBytes: 256 * 1024 * 1024 });
    try {
      const { json } = await sandbox.exec({
        command: 'node -e "const kept = []; for (;;) kept.push(new Array(1e6).fill(1.5))"',
        waitForCompletion: true,
      });
      expect(json.status).toBe('failed');
      expect(json.stderr).toContain('memory is limited to 256 MiB per process');
      const small = await sandbox.exec({
        command: 'node -e "console.log(Buffer.alloc(1e6).length)"',
        waitForCompletion: true,
      });
      expect(small.json).toMatchObject({ status: 'completed', stdout: '1000000\n' });
    } finally {
      await sandbox.server.close();
    }
  });
});

describe('limit options', () => {
  it('refuses limits that are not whole positive numbers', async () => {
    await expect(startTestServer({ maxProcesses: 0 })).rejects.toThrow(/invalid maxProcesses/);
    await expect(startTestServer({ maxCpuSeconds: 1.5 })).rejects.toThrow(/invalid maxCpuSeconds/);
    await expect(startTestServer({ maxMemoryBytes: 1000 })).rejects.toThrow(/invalid maxMemoryBytes/);
  });
});
