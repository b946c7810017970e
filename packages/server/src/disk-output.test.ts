import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPausedStream, SequenceCheck } from './testing/stream-reader.js';
import { pollUntil, startTestServer, type TestServer } from './testing/test-server.js';

const LINES = 3_000_000; // about 21 MB of short lines
const dataDir = mkdtempSync(join(tmpdir(), 'disk-output-test-'));
let sandbox: TestServer;
beforeAll(async () => {
  sandbox = await startTestServer({ dataDir });
});
afterAll(async () => {
  await sandbox.server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function streamUrl(pid: string, query = ''): string {
  return `${sandbox.server.url}/process/${pid}/logs/stream${query}`;
}

/**
 * Removes a directory as a temp cleaner would, again until it is gone: the server may be adding
 * files to it meanwhile (the FIFOs of commands' pipes are made in the background).
 */
function removeWhole(directory: string): void {
  for (let attempt = 1; ; attempt++) {
    try {
      rmSync(directory, { recursive: true, force: true });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY' || attempt === 100) throw error;
    }
  }
}

describe('output on disk', () => {
  it('keeps the output in a run directory under dataDir', async () => {
    expect(sandbox.server.runDirectory.startsWith(join(dataDir, 'sandproc-run-'))).toBe(true);
    await sandbox.exec({ command: 'echo on-disk', waitForCompletion: true });
    expect(readdirSync(sandbox.server.runDirectory).some((name) => name.endsWith('.data'))).toBe(true);
  });

  it('a reader that reads nothing until the process ended still receives every line, in order; re-reads and since work on the large log', async () => {
    const { json } = await sandbox.exec({ command: `seq 1 ${LINES}` });
    const stalled = await openPausedStream(streamUrl(json.pid), sandbox.authHeaders());
    await sandbox.waitForStatus(json.pid, (process) => process.status !== 'running');
    const check = new SequenceCheck(1);
    await stalled.readLines(check.onLine);
    expect(check.problem).toBeUndefined();
    expect(check.next).toBe(LINES + 1);
    expect(check.notices).toEqual([]);

    const again = new SequenceCheck(1);
    await (await openPausedStream(streamUrl(json.pid), sandbox.authHeaders())).readLines(again.onLine);
    expect(again.problem).toBeUndefined();
    expect(again.next).toBe(LINES + 1);

    const since = 1_234_567;
    const resumed = await openPausedStream(streamUrl(json.pid, `?since=${since}`), sandbox.authHeaders());
    expect(resumed.response.headers['x-log-offset']).toBe(String(since));
    const fromMiddle = new SequenceCheck(since + 1);
    await resumed.readLines(fromMiddle.onLine);
    expect(fromMiddle.problem).toBeUndefined();
    expect(fromMiddle.next).toBe(LINES + 1);

    const logs = await sandbox.request<{ stdout: string; logs: string }>('GET', `/process/${json.pid}/logs`);
    expect(logs.status).toBe(200);
    expect(logs.json.stdout.length).toBe(logs.json.logs.length);
    expect(logs.json.stdout.startsWith('1\n2\n3\n')).toBe(true);
    expect(logs.json.stdout.endsWith(`\n${LINES}\n`)).toBe(true);
    expect(logs.json.stdout.split('\n')).toHaveLength(LINES + 1);
  });

  it("a reader throttled well below the writer's speed receives every line of a live flood, in order", async () => {
    const { json } = await sandbox.exec({ command: `seq 1 ${LINES}` });
    const stream = await openPausedStream(streamUrl(json.pid), sandbox.authHeaders());
    const check = new SequenceCheck(1);
    let chunks = 0;
    stream.response.on('data', () => {
      // Every 8th chunk, stop reading until the next macrotask turn: the server sees a slow reader.
      if (++chunks % 8 !== 0) return;
      stream.response.pause();
      setTimeout(() => stream.response.resume(), 5);
    });
    await stream.readLines(check.onLine);
    expect(check.problem).toBeUndefined();
    expect(check.next).toBe(LINES + 1);
  });

  it('the NDJSON exec stream delivers every line of a large output', async () => {
    const response = await fetch(`${sandbox.server.url}/process`, {
      method: 'POST',
      headers: { ...sandbox.authHeaders(), 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({ command: 'seq 1 200000' }),
    });
    const events = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; data: string });
    const output = events.filter((event) => event.type === 'stdout').map((event) => event.data);
    expect(output).toHaveLength(200_000);
    expect(output[0]).toBe('1\n');
    expect(output.at(-1)).toBe('200000\n');
    expect(events.at(-1)?.type).toBe('result');
  });

  it.runIf(process.platform === 'linux')('holds no file descriptor for the output of finished processes', async () => {
    const openOutputFiles = (): number =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          // Output files (`.data`, `.index`), not the commands' pipes (FIFOs removed once open).
          const target = readlinkSync(`/proc/self/fd/${fd}`);
          return target.startsWith(sandbox.server.runDirectory) && /\.(data|index)( \(deleted\))?$/.test(target);
        } catch {
          return false;
        }
      }).length;
    const running = await sandbox.exec({ command: 'echo started; sleep 30' });
    await sandbox.waitForStatus(running.json.pid, (process) => process.stdout === 'started\n');
    expect(openOutputFiles()).toBe(2);
    for (let index = 0; index < 20; index++)
      await sandbox.exec({ command: `echo finished-${index}`, waitForCompletion: true });
    await sandbox.request('DELETE', `/process/${running.json.pid}/kill`);
    await sandbox.waitForStatus(running.json.pid, (process) => process.status !== 'running');
    expect(openOutputFiles()).toBe(0);
    expect((await sandbox.get(running.json.pid)).stdout).toBe('started\n');
  });

  it('removes the run directory on close', async () => {
    const other = await startTestServer({ dataDir });
    await other.exec({ command: 'echo bye', waitForCompletion: true });
    const directory = other.server.runDirectory;
    expect(existsSync(directory)).toBe(true);
    await other.server.close();
    expect(existsSync(directory)).toBe(false);
  });

  it('makes the run directory again (mode 0700) when something removed it (a temp cleaner): later output is kept', async () => {
    const other = await startTestServer({ dataDir });
    try {
      const directory = other.server.runDirectory;
      removeWhole(directory);
      const { json } = await other.exec({ command: 'echo kept; echo also >&2', waitForCompletion: true });
      expect(json.stdout).toBe('kept\n');
      expect(json.stderr).toBe('also\n');
      expect(statSync(directory).mode & 0o777).toBe(0o700);
      expect((await other.request('GET', `/process/${json.pid}/logs/stream`)).text).toBe('stdout:kept\nstderr:also\n');
    } finally {
      await other.server.close();
    }
  });
});

describe('retention on disk', () => {
  it('past the per-process cap, drops only the oldest output and says how many records', async () => {
    const capped = await startTestServer({ outputDiskBytes: 1024 * 1024, dataDir });
    try {
      const { json } = await capped.exec({ command: 'seq 1 1000000', waitForCompletion: true });
      expect(capped.server.stats().retainedOutputBytes).toBeLessThanOrEqual(1024 * 1024);
      const stream = await openPausedStream(
        `${capped.server.url}/process/${json.pid}/logs/stream`,
        capped.authHeaders(),
      );
      const lines: string[] = [];
      await stream.readLines((line) => lines.push(line));
      const notice = /^\[Output truncated: (\d+) records dropped\]$/.exec(lines[0] ?? '');
      expect(notice).not.toBeNull();
      const dropped = Number(notice?.[1]);
      expect(lines[1]).toBe(`stdout:${dropped + 1}`);
      expect(lines.at(-1)).toBe('stdout:1000000');
      expect(lines).toHaveLength(1 + 1_000_000 - dropped);
      // What is kept is most of the cap: at least 3/4 of it in data (segments are an eighth of the cap).
      const keptBytes = lines.slice(1).reduce((sum, line) => sum + line.length - 'stdout:'.length + 1, 0);
      expect(keptBytes).toBeGreaterThan(0.75 * 1024 * 1024);
    } finally {
      await capped.server.close();
    }
  });

  it('past the server-wide cap, finished processes lose their oldest output first', async () => {
    const capped = await startTestServer({
      outputDiskBytes: 4 * 1024 * 1024,
      totalOutputDiskBytes: 6 * 1024 * 1024,
      dataDir,
    });
    try {
      const first = await capped.exec({ command: 'seq 1 400000', waitForCompletion: true });
      const second = await capped.exec({ command: 'seq 1000001 1500000', waitForCompletion: true });
      expect(capped.server.stats().retainedOutputBytes).toBeLessThanOrEqual(6 * 1024 * 1024);
      const firstLogs = await fetch(`${capped.server.url}/process/${first.json.pid}/logs/stream`, {
        headers: capped.authHeaders(),
      });
      expect(await firstLogs.text()).toMatch(/^\[Output truncated: \d+ records dropped\]\n/);
      const secondLogs = await (
        await fetch(`${capped.server.url}/process/${second.json.pid}/logs/stream`, { headers: capped.authHeaders() })
      ).text();
      expect(secondLogs.startsWith('stdout:1000001\n')).toBe(true);
      expect(secondLogs.endsWith('stdout:1500000\n')).toBe(true);
    } finally {
      await capped.server.close();
    }
  });

  it('answers a waitForCompletion exec with its output even when no finished record is kept (maxFinishedProcesses 0)', async () => {
    const forgetful = await startTestServer({ maxFinishedProcesses: 0, dataDir });
    try {
      const answers = await Promise.all(
        [0, 1, 2, 3].map((index) =>
          forgetful.exec({ command: `echo run-${index}; echo err-${index} >&2`, waitForCompletion: true }),
        ),
      );
      for (const [index, { status, json }] of answers.entries()) {
        expect(status).toBe(200);
        expect(json).toMatchObject({ status: 'completed', stdout: `run-${index}\n`, stderr: `err-${index}\n` });
      }
      await pollUntil(async () => (await forgetful.request<unknown[]>('GET', '/process')).json.length === 0);
      expect((await forgetful.request('GET', `/process/${answers[0]?.json.pid}`)).status).toBe(404);
      expect(readdirSync(forgetful.server.runDirectory).filter((name) => name.endsWith('.data'))).toHaveLength(0);
    } finally {
      await forgetful.server.close();
    }
  });

  it('forgets the oldest finished records past maxFinishedProcesses (404), and their files', async () => {
    const pruning = await startTestServer({ maxFinishedProcesses: 2, dataDir });
    try {
      const pids: string[] = [];
      for (let index = 0; index < 4; index++) {
        pids.push((await pruning.exec({ command: `echo run-${index}`, waitForCompletion: true })).json.pid);
      }
      await pollUntil(async () => (await pruning.request<unknown[]>('GET', '/process')).json.length === 2);
      expect((await pruning.request('GET', `/process/${pids[0]}`)).status).toBe(404);
      expect((await pruning.request('GET', `/process/${pids[1]}/logs`)).status).toBe(404);
      expect((await pruning.get(pids[3]!)).logs).toBe('run-3\n');
      expect(readdirSync(pruning.server.runDirectory).filter((name) => name.endsWith('.data'))).toHaveLength(2);
    } finally {
      await pruning.server.close();
    }
  });
});

describe("output files removed behind the server's back", () => {
  it('closes the readers of the lost output and keeps serving', async () => {
    const fragile = await startTestServer({ dataDir });
    try {
      const { json } = await fragile.exec({ command: 'seq 1 100000', waitForCompletion: true });
      removeWhole(fragile.server.runDirectory);
      const stream = await fetch(`${fragile.server.url}/process/${json.pid}/logs/stream`, {
        headers: fragile.authHeaders(),
      });
      await expect(stream.text()).rejects.toThrow();
      const health = await fragile.request('GET', '/health');
      expect(health.status).toBe(200);
      const process = await fragile.get(json.pid);
      expect(process.status).toBe('completed');
      expect(process.stdout).toBe('');
    } finally {
      await fragile.server.close();
    }
  });
});
