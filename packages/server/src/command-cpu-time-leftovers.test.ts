import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuTimeUnavailable } from './testing/cpu-time-limit.js';
import { hostPidOf, isAlive, pollUntil, startTestServer } from './testing/test-server.js';

/** CPU seconds (user + system) process `pid` used; 0 once it is gone. */
function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

const unavailable = cpuTimeUnavailable();
if (unavailable !== undefined) console.warn(`maxCommandCpuSeconds leftovers not tested: ${unavailable}`);

// The default mode only: in isolated mode a command's PID namespace ends with it, children included.
describe.skipIf(unavailable !== undefined)('maxCommandCpuSeconds after the command exited', () => {
  it('still holds for a background child it left spinning: the child is ended past the limit', async () => {
    const sandbox = await startTestServer({ maxCommandCpuSeconds: 1 });
    let child: number | undefined;
    try {
      const { json } = await sandbox.exec({ command: '(while :; do :; done) & echo $!', waitForCompletion: true });
      expect(json.status).toBe('completed');
      child = hostPidOf(json.pid, Number(json.stdout.trim()), sandbox.server.options.containment);
      // The child is killed at the check after the tree passed 1 s; wait until it is gone or has
      // used four times the limit by itself.
      await pollUntil(() => !isAlive(child as number) || cpuSecondsOf(child as number) >= 4, {
        timeoutMs: 120_000,
        intervalMs: 100,
        what: 'the child to end or to pass four times the limit',
      });
      expect(isAlive(child)).toBe(false);
    } finally {
      if (child !== undefined && isAlive(child)) process.kill(child, 'SIGKILL');
      await sandbox.server.close();
    }
  }, 180_000);
});
