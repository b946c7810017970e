import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil, startTestServer, type TestServer } from './testing/test-server.js';

const BUDGET_BYTES = 4 * 1024 * 1024;
let sandbox: TestServer;
beforeAll(async () => {
  sandbox = await startTestServer({ outputDiskBytes: BUDGET_BYTES, totalOutputDiskBytes: 3 * BUDGET_BYTES });
});
afterAll(async () => {
  await sandbox.server.close();
});

/** The per-process cap plus room for blocks beyond it (the segment being written is never dropped). */
const ALLOWED_BYTES = BUDGET_BYTES + 4 * 65_536 * 2;

/** The server's retained output bytes at their highest, sampled every 20 ms until `pid` is done. */
async function peakRetainedUntilDone(pid: string): Promise<number> {
  let peak = 0;
  await pollUntil(
    async () => {
      peak = Math.max(peak, sandbox.server.stats().retainedOutputBytes);
      return (await sandbox.get(pid)).status !== 'running';
    },
    60_000,
    20,
  );
  return Math.max(peak, sandbox.server.stats().retainedOutputBytes);
}

describe('bounded output (on disk)', () => {
  it('a process printing 200 MB keeps the retained output within the budget', async () => {
    const { json } = await sandbox.exec({ command: `yes "$(printf '%01000d' 0)" | head -n 200000; echo last-line` });
    expect(await peakRetainedUntilDone(json.pid)).toBeLessThanOrEqual(ALLOWED_BYTES);
    const final = await sandbox.get(json.pid);
    expect(final.status).toBe('completed');
    expect(final.stdout.endsWith('last-line\n')).toBe(true);
    expect(final.stdout.length).toBeLessThanOrEqual(64 * 1024);
    const logs = await sandbox.request<{ stdout: string }>('GET', `/process/${json.pid}/logs`);
    expect(logs.json.stdout.length).toBeLessThanOrEqual(BUDGET_BYTES);
    expect(logs.json.stdout.endsWith('last-line\n')).toBe(true);
  });

  it('one huge line without newlines is cut into records and stays bounded', async () => {
    const baseline = sandbox.server.stats().retainedOutputBytes;
    const { json } = await sandbox.exec({ command: "head -c 50000000 /dev/zero | tr '\\0' 'z'" });
    expect((await peakRetainedUntilDone(json.pid)) - baseline).toBeLessThanOrEqual(ALLOWED_BYTES);
    expect((await sandbox.get(json.pid)).status).toBe('completed');
  });

  it('finished processes share a total budget', async () => {
    for (let index = 0; index < 5; index++) {
      await sandbox.exec({ command: `yes "$(printf '%0500d' 0)" | head -n 20000`, waitForCompletion: true });
    }
    expect(sandbox.server.stats().retainedOutputBytes).toBeLessThanOrEqual(3 * BUDGET_BYTES + ALLOWED_BYTES);
  });

  it('a stream reader that stalls until the process ends keeps retained output within the budget, then gets the newest output and the end', async () => {
    const { json } = await sandbox.exec({ command: `yes "$(printf '%01000d' 0)" | head -n 50000; echo last-line` });
    const response = await fetch(`${sandbox.server.url}/process/${json.pid}/logs/stream`, {
      headers: sandbox.authHeaders(),
    });
    const reader = response.body!.getReader();
    await reader.read();
    await sandbox.waitForStatus(json.pid, (process) => process.status !== 'running');
    expect(sandbox.server.stats().retainedOutputBytes).toBeLessThanOrEqual(3 * BUDGET_BYTES + ALLOWED_BYTES);
    const decoder = new TextDecoder();
    let tail = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      tail = (tail + decoder.decode(value, { stream: true })).slice(-4096);
    }
    expect(tail.endsWith('stdout:last-line\n')).toBe(true);
  });
});
