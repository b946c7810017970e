import { connect, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostPidOf, isAlive, pollUntil, startTestServer, type TestServer } from './testing/test-server.js';

let sandbox: TestServer;
beforeAll(async () => {
  sandbox = await startTestServer();
});
afterAll(async () => {
  await sandbox.server.close();
});

const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

describe('PROTOCOL.md §6 conformance', () => {
  it('1. echo with wait completes with its output', async () => {
    const { status, json, headers } = await sandbox.exec({ command: "echo 'Hello World'", waitForCompletion: true });
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-cache, no-store');
    expect(json.status).toBe('completed');
    expect(json.exitCode).toBe(0);
    expect(json.logs).toContain('Hello World');
    expect(json.stdout).toBe('Hello World\n');
    expect(typeof json.pid).toBe('string');
    expect(json.startedAt).toMatch(HTTP_DATE);
    expect(json.completedAt).toMatch(HTTP_DATE);
    expect(json.workingDir).toBe('');
  });

  it('2. echoes a given name and generates proc-xxxxxxxx otherwise', async () => {
    const named = await sandbox.exec({ command: 'true', name: 'my-name', waitForCompletion: true });
    expect(named.json.name).toBe('my-name');
    const unnamed = await sandbox.exec({ command: 'true', waitForCompletion: true });
    expect(unnamed.json.name).toMatch(/^proc-[a-z0-9]{8}$/);
  });

  it('3. runs in workingDir', async () => {
    const { json } = await sandbox.exec({ command: 'pwd', workingDir: '/tmp', waitForCompletion: true });
    expect(json.stdout.trim()).toBe('/tmp');
    expect(json.workingDir).toBe('/tmp');
  });

  it('4. stderr lands in stderr and logs', async () => {
    const { json } = await sandbox.exec({ command: 'echo err >&2', waitForCompletion: true });
    expect(json.stderr).toBe('err\n');
    expect(json.logs).toContain('err');
    expect(json.stdout).toBe('');
  });

  it('5. a non-zero exit is not an HTTP error', async () => {
    const { status, json } = await sandbox.exec({ command: 'exit 42', waitForCompletion: true });
    expect(status).toBe(200);
    expect(json.status).toBe('failed');
    expect(json.exitCode).toBe(42);
  });

  it('6. exec without wait answers while the command still runs, with status running', async () => {
    const { status, json } = await sandbox.exec({ command: 'sleep 5' });
    expect(status).toBe(200);
    expect(json.status).toBe('running');
    expect(json.completedAt).toBe('');
    expect(json.exitCode).toBe(0);
    await sandbox.request('DELETE', `/process/${json.pid}/kill`);
  });

  it('7. GET by pid and by name; unknown id is 404 JSON', async () => {
    const { json } = await sandbox.exec({ command: 'sleep 30', name: 'lookup-me' });
    expect((await sandbox.get(json.pid)).name).toBe('lookup-me');
    expect((await sandbox.get('lookup-me')).pid).toBe(json.pid);
    const listed = await sandbox.request<Array<{ pid: string; completedAt: unknown }>>('GET', '/process');
    expect(listed.json.find((entry) => entry.pid === json.pid)?.completedAt).toBeNull();
    const missing = await sandbox.request('GET', '/process/no-such-process');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/json');
    expect(missing.json).toEqual({ error: expect.any(String) });
    expect((await sandbox.request('GET', '/process/999999999')).status).toBe(404);
    await sandbox.request('DELETE', '/process/lookup-me/kill');
  });

  it('8. logs endpoint separates and interleaves both streams', async () => {
    const { json } = await sandbox.exec({
      command: 'echo out1; echo err1 >&2; sleep 0.1; echo out2',
      waitForCompletion: true,
    });
    const logs = await sandbox.request<{ stdout: string; stderr: string; logs: string }>(
      'GET',
      `/process/${json.pid}/logs`,
    );
    expect(logs.status).toBe(200);
    expect(logs.json.stdout).toBe('out1\nout2\n');
    expect(logs.json.stderr).toBe('err1\n');
    expect(logs.json.logs).toContain('out1\n');
    expect(logs.json.logs).toContain('err1\n');
    expect(logs.json.logs.indexOf('err1')).toBeLessThan(logs.json.logs.indexOf('out2'));
  });

  it('9. log stream: every line once, prefixed, ends at exit; finished process gives backlog then close', async () => {
    const { json } = await sandbox.exec({ command: 'for i in 1 2 3 4 5; do echo line$i; sleep 0.1; done' });
    const response = await fetch(`${sandbox.server.url}/process/${json.pid}/logs/stream`, {
      headers: sandbox.authHeaders(),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const text = await response.text();
    const lines = text.split('\n').filter((line) => line.length > 0 && line !== '[keepalive]');
    expect(lines).toEqual(['stdout:line1', 'stdout:line2', 'stdout:line3', 'stdout:line4', 'stdout:line5']);
    expect((await sandbox.get(json.pid)).status).toBe('completed');
    const again = await fetch(`${sandbox.server.url}/process/${json.pid}/logs/stream`, {
      headers: sandbox.authHeaders(),
    });
    expect((await again.text()).split('\n').filter(Boolean)).toEqual(lines);
  });

  it('10. exec with Accept: text/event-stream answers NDJSON then a result', async () => {
    const response = await fetch(`${sandbox.server.url}/process`, {
      method: 'POST',
      headers: { ...sandbox.authHeaders(), 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({ command: 'echo hello; echo oops >&2', waitForCompletion: true }),
    });
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const events = (await response.text())
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; data?: string });
    expect(events).toContainEqual({ type: 'stdout', data: 'hello\n' });
    expect(events).toContainEqual({ type: 'stderr', data: 'oops\n' });
    const last = events.at(-1);
    expect(last?.type).toBe('result');
    const result = JSON.parse(last?.data ?? '{}') as { status: string; logs: string };
    expect(result.status).toBe('completed');
    expect(result.logs).toContain('hello');
  });

  it('11. stop → stopped, kill → killed, and the whole group is gone', async () => {
    for (const [path, expected] of [
      ['', 'stopped'],
      ['/kill', 'killed'],
    ] as const) {
      const { json } = await sandbox.exec({ command: 'sleep 300 & echo $!; wait' });
      await pollUntil(async () => (await sandbox.get(json.pid)).stdout.trim().length > 0);
      const backgroundPid = hostPidOf(
        json.pid,
        Number((await sandbox.get(json.pid)).stdout.trim()),
        sandbox.server.options.containment,
      );
      expect(isAlive(backgroundPid)).toBe(true);
      const answer = await sandbox.request<{ message: string }>('DELETE', `/process/${json.pid}${path}`);
      expect(answer.status).toBe(200);
      expect(typeof answer.json.message).toBe('string');
      const final = await sandbox.waitForStatus(json.pid, (process) => process.status !== 'running');
      expect(final.status).toBe(expected);
      expect(final.exitCode).toBe(-1);
      await pollUntil(() => !isAlive(backgroundPid));
      expect((await sandbox.request('DELETE', `/process/${json.pid}${path}`)).status).toBe(404);
    }
  });

  it('12. restartOnFailure with maxRestarts 2 ends failed with restartCount 2 and the same pid', async () => {
    const { json } = await sandbox.exec({
      command: 'echo try; exit 1',
      restartOnFailure: true,
      maxRestarts: 2,
      name: 'flaky',
    });
    const final = await sandbox.waitForStatus(json.pid, (process) => process.status !== 'running');
    expect(final.status).toBe('failed');
    expect(final.exitCode).toBe(1);
    expect(final.restartCount).toBe(2);
    expect(final.pid).toBe(json.pid);
    expect(final.name).toBe('flaky');
    const notice = (attempt: number): string =>
      `\n[Process failed with exit code 1. Attempting restart ${attempt}/2...]\n`;
    expect(final.stdout).toBe(`try\n${notice(1)}try\n${notice(2)}try\n`);
    const stream = await fetch(`${sandbox.server.url}/process/${json.pid}/logs/stream`, {
      headers: sandbox.authHeaders(),
    });
    const text = await stream.text();
    expect(text).toContain('[Process failed with exit code 1. Attempting restart 1/2...]\n');
    expect(text).toContain('[Process failed with exit code 1. Attempting restart 2/2...]\n');
  });

  it('13. waitForPorts answers once the port accepts connections', async () => {
    const port = await freePort();
    const script = `setTimeout(() => require('net').createServer().listen(${port}, '127.0.0.1'), 500)`;
    const { status, json } = await sandbox.exec({ command: `node -e "${script}"`, waitForPorts: [port], timeout: 20 });
    expect(status).toBe(200);
    expect(json.status).toBe('running');
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', reject);
    });
    await sandbox.request('DELETE', `/process/${json.pid}/kill`);
  });

  it('14. keepAlive with timeout 2 auto-kills', async () => {
    const { json } = await sandbox.exec({ command: 'sleep 30', keepAlive: true, timeout: 2 });
    expect(json.keepAlive).toBe(true);
    const final = await sandbox.waitForStatus(json.pid, (process) => process.status !== 'running');
    expect(final.status).toBe('killed');
  });

  it('15. a second exec with the name of a running process is 400', async () => {
    const { json } = await sandbox.exec({ command: 'sleep 30', name: 'unique-runner' });
    const second = await sandbox.exec({ command: 'true', name: 'unique-runner' });
    expect(second.status).toBe(400);
    expect(second.json).toEqual({ error: expect.stringContaining('unique-runner') });
    await sandbox.request('DELETE', `/process/${json.pid}/kill`);
    await sandbox.waitForStatus(json.pid, (process) => process.status !== 'running');
    expect((await sandbox.exec({ command: 'true', name: 'unique-runner', waitForCompletion: true })).status).toBe(200);
  });

  it('16. stdin: written bytes come back; closing stdin ends cat', async () => {
    const { json } = await sandbox.exec({ command: 'cat', stdin: true });
    const write = await sandbox.request('POST', `/process/${json.pid}/stdin`, {
      rawBody: 'hello stdin\n',
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    expect(write.status).toBe(200);
    await pollUntil(async () => (await sandbox.get(json.pid)).stdout === 'hello stdin\n');
    expect((await sandbox.request('DELETE', `/process/${json.pid}/stdin`)).status).toBe(200);
    expect((await sandbox.request('DELETE', `/process/${json.pid}/stdin`)).status).toBe(200);
    const final = await sandbox.waitForStatus(json.pid, (process) => process.status !== 'running');
    expect(final.status).toBe('completed');
  });
});
