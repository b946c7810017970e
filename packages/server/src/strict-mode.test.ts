import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostPidOf, isAlive, pollUntil, startTestServer, type TestServer } from './testing/test-server.js';

let sandbox: TestServer;
beforeAll(async () => {
  sandbox = await startTestServer({ compatibility: 'strict' });
});
afterAll(async () => {
  await sandbox.server.close();
});

describe("strict compatibility mode (the real server's behaviour)", () => {
  it('prefixes each read chunk live, and each line in a backlog (its combined log file, read back)', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'sandproc-strict-'));
    try {
      // `env printf` (not the shell's builtin, which bash flushes line by line) writes both lines at once,
      // once the test is reading the live stream.
      const { json } = await sandbox.exec({
        command: "while [ ! -e go ]; do sleep 0.02; done; env printf 'a\\nb\\n'",
        workingDir: folder,
      });
      const live = await fetch(`${sandbox.server.url}/process/${json.pid}/logs/stream`, {
        headers: sandbox.authHeaders(),
      });
      await writeFile(join(folder, 'go'), '');
      expect(await live.text()).toBe('stdout:a\nb\n');
      const backlog = await fetch(`${sandbox.server.url}/process/${json.pid}/logs/stream`, {
        headers: sandbox.authHeaders(),
      });
      expect(await backlog.text()).toBe('stdout:a\nstdout:b\n');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('a POST that does not wait shows the process as it started: no output yet, logs null (as the real server answers)', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    // The answer waits for the port, which the command opens only after it wrote: the output exists by then.
    const script = `process.stdout.write('at-once\\n', () => require('net').createServer().listen(${port}, '127.0.0.1'))`;
    const { status, json } = await sandbox.exec({ command: `node -e "${script}"`, waitForPorts: [port], timeout: 20 });
    expect(status).toBe(200);
    expect(json).toMatchObject({ status: 'running', stdout: '', stderr: '', logs: null });
    await pollUntil(async () => (await sandbox.get(json.pid)).stdout === 'at-once\n');
    await sandbox.request('DELETE', `/process/${json.pid}/kill`);
  });

  it('answers 200 with an error body for an unknown id on /logs/stream', async () => {
    const response = await fetch(`${sandbox.server.url}/process/nope/logs/stream`, { headers: sandbox.authHeaders() });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('error');
  });

  it('concatenates stdout then stderr in logs', async () => {
    const { json } = await sandbox.exec({ command: 'echo e1 >&2; sleep 0.2; echo o1', waitForCompletion: true });
    expect(json.logs).toBe('o1\ne1\n');
    const logs = await sandbox.request<{ logs: string }>('GET', `/process/${json.pid}/logs`);
    expect(logs.json.logs).toBe('o1\ne1\n');
  });

  it('a backlog after restarts replays, per restart, all stdout then all stderr so far (as the real server does)', async () => {
    const { json } = await sandbox.exec({
      command: 'sleep 0.1; echo out; echo err >&2; sleep 0.1; exit 1',
      restartOnFailure: true,
      maxRestarts: 2,
      waitForCompletion: true,
    });
    const response = await fetch(`${sandbox.server.url}/process/${json.pid}/logs/stream`, {
      headers: sandbox.authHeaders(),
    });
    const notice = (attempt: number): string =>
      `stdout:\nstdout:[Process failed with exit code 1. Attempting restart ${attempt}/2...]\n`;
    const run = 'stdout:out\nstderr:err\n';
    expect(await response.text()).toBe(
      [
        run + notice(1),
        `stdout:out\n${notice(1)}stderr:err\n`,
        run + notice(2),
        `stdout:out\n${notice(1)}stdout:out\n${notice(2)}stderr:err\nstderr:err\n`,
        run,
      ].join(''),
    );
  });

  it('the replay after a restart prefixes a long line at each 4096-byte read of the file, as the real server tailer does', async () => {
    const length = 200_000;
    const { json } = await sandbox.exec({
      command: `sleep 0.1; head -c ${length} /dev/zero | tr '\\0' x; echo; sleep 0.1; exit 1`,
      restartOnFailure: true,
      maxRestarts: 1,
      waitForCompletion: true,
    });
    const response = await fetch(`${sandbox.server.url}/process/${json.pid}/logs/stream`, {
      headers: sandbox.authHeaders(),
    });
    const lines = (await response.text()).split('\n');
    // Read back from the start of its stdout file in 4096-byte reads, each read prefixed, mid-line too.
    const reads = Math.ceil(length / 4096);
    const whole = Array.from(
      { length: reads },
      (_, read) => `stdout:${'x'.repeat(Math.min(4096, length - read * 4096))}`,
    ).join('');
    // The line, three times (the first run, its replay after the restart, the second run).
    const outputLines = lines.filter((line) => /^x+$/.test(line.replaceAll('stdout:', '')));
    expect(outputLines.join('').replaceAll(/[^x]/g, '').length).toBe(3 * length);
    const notices = lines.flatMap((line, index) => (line.includes('Attempting restart 1/1') ? [index] : []));
    expect(notices).toHaveLength(2);
    expect(lines[(notices[0] ?? 0) + 1]).toBe(whole);
  });

  it('a stream opened while a restart is pending sends the backlog and ends, as the real server does', async () => {
    const waiting = await startTestServer({ compatibility: 'strict', restartDelayMs: 120_000 });
    try {
      const { json } = await waiting.exec({ command: 'echo run; exit 1', restartOnFailure: true, maxRestarts: 1 });
      await pollUntil(async () => {
        const state = await waiting.get(json.pid);
        return state.status === 'failed' && String(state.stdout).includes('Attempting restart');
      });
      const response = await fetch(`${waiting.server.url}/process/${json.pid}/logs/stream`, {
        headers: waiting.authHeaders(),
      });
      expect(await response.text()).toBe(
        'stdout:run\nstdout:\nstdout:[Process failed with exit code 1. Attempting restart 1/1...]\n',
      );
      expect((await waiting.request('DELETE', `/process/${json.pid}/kill`)).status).toBe(200);
    } finally {
      await waiting.server.close();
    }
  });

  it('ignores since and sends no X-Log-Offset', async () => {
    const { json } = await sandbox.exec({ command: 'echo one; sleep 0.2; echo two', waitForCompletion: true });
    const response = await fetch(`${sandbox.server.url}/process/${json.pid}/logs/stream?since=1`, {
      headers: sandbox.authHeaders(),
    });
    expect(response.headers.get('x-log-offset')).toBeNull();
    expect(await response.text()).toBe('stdout:one\nstdout:two\n');
  });

  it('kill ignores the signal in the body (always SIGKILL)', async () => {
    const { json } = await sandbox.exec({
      command: "trap 'echo got-int; exit 0' INT; echo ready; while true; do sleep 0.1; done",
    });
    await pollUntil(async () => (await sandbox.get(json.pid)).stdout.includes('ready'));
    expect((await sandbox.request('DELETE', `/process/${json.pid}/kill`, { body: { signal: 'SIGINT' } })).status).toBe(
      200,
    );
    const final = await sandbox.waitForStatus(json.pid, (process) => process.status !== 'running');
    expect(final.status).toBe('killed');
    expect(final.stdout).not.toContain('got-int');
  });

  it('NDJSON data carries raw chunks', async () => {
    const response = await fetch(`${sandbox.server.url}/process`, {
      method: 'POST',
      headers: { ...sandbox.authHeaders(), 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({ command: "env printf 'x\\ny\\n'", waitForCompletion: true }),
    });
    const events = (await response.text())
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; data?: string });
    expect(events).toContainEqual({ type: 'stdout', data: 'x\ny\n' });
    expect(events.at(-1)?.type).toBe('result');
  });

  it('stop and kill of a finished process answer 404 even while a background child lives on', async () => {
    const own = await startTestServer({ compatibility: 'strict' });
    try {
      const { json } = await own.exec({ command: 'sleep 312 & echo $!', waitForCompletion: true });
      const backgroundPid = hostPidOf(json.pid, Number(json.stdout.trim()), own.server.options.containment);
      expect((await own.request('DELETE', `/process/${json.pid}`)).status).toBe(404);
      expect((await own.request('DELETE', `/process/${json.pid}/kill`)).status).toBe(404);
      expect(isAlive(backgroundPid)).toBe(true);
      await own.server.close();
      await pollUntil(() => !isAlive(backgroundPid));
    } finally {
      await own.server.close();
    }
  });

  it('everything else is identical (statuses, 404 JSON on other routes)', async () => {
    const { json } = await sandbox.exec({ command: 'exit 42', waitForCompletion: true });
    expect(json).toMatchObject({ status: 'failed', exitCode: 42 });
    const missing = await sandbox.request('GET', '/process/nope');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ error: expect.any(String) });
  });
});
