import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mountSmallFilesystem, type SmallFilesystem } from './testing/small-filesystem.js';
import { pollUntil, startTestServer } from './testing/test-server.js';

const smallFilesystem = mountSmallFilesystem(1024 * 1024);
if (typeof smallFilesystem === 'string') console.warn(`a full data directory is not tested: ${smallFilesystem}`);

describe.skipIf(typeof smallFilesystem === 'string')('a data directory that fills up', () => {
  const filesystem = smallFilesystem as SmallFilesystem;
  const gates = mkdtempSync(join(tmpdir(), 'disk-full-test-'));
  afterAll(() => {
    filesystem.unmount();
    rmSync(gates, { recursive: true, force: true });
  });

  it('keeps the server up, says once where output was lost, and keeps the output that comes after space came back', async () => {
    const sandbox = await startTestServer({ dataDir: filesystem.path });
    try {
      filesystem.fill();
      const printed = join(gates, 'printed');
      const resume = join(gates, 'resume');
      // 100,000 lines (589 kB) do not fit in a pipe: most of them are read while the disk is full.
      const command = `seq 1 100000; : > ${printed}; while [ ! -e ${resume} ]; do sleep 0.05; done; echo after`;
      const { json } = await sandbox.exec({ command });
      await pollUntil(() => existsSync(printed));
      expect((await sandbox.request('GET', '/health')).status).toBe(200);
      filesystem.free();
      writeFileSync(resume, '');
      await sandbox.waitForStatus(json.pid, (process) => process.status !== 'running');

      const stream = await sandbox.request('GET', `/process/${json.pid}/logs/stream`);
      expect(stream.status).toBe(200);
      const lines = stream.text.split('\n').slice(0, -1);
      const notices = lines.filter((line) => !line.startsWith('stdout:'));
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatch(/^\[Output lost: .*ENOSPC/);
      expect(lines.at(-1)).toBe('stdout:after');
      // Before the notice nothing (the disk was full from the start); after it, whatever was still
      // in the pipe when space came back, whole lines (never the end of a lost one), unbroken.
      expect(lines[0]).toBe(notices[0]);
      const numbers = lines.slice(1, -1).map((line) => line.slice('stdout:'.length));
      for (const [index, value] of numbers.entries()) expect(value).toBe(String(Number(numbers[0]) + index));
      if (numbers.length > 0) expect(numbers.at(-1)).toBe('100000');
      const logs = await sandbox.request<{ stdout: string }>('GET', `/process/${json.pid}/logs`);
      expect(logs.json.stdout.endsWith('after\n')).toBe(true);
    } finally {
      await sandbox.server.close();
    }
  });
});
