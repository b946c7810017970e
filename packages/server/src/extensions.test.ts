import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commandProcesses,
  hostPidOf,
  isAlive,
  pollUntil,
  readUntil,
  startTestServer,
  type TestServer,
} from './testing/test-server.js';

let sandbox: TestServer;
beforeAll(async () => {
  sandbox = await startTestServer({ keepaliveIntervalMs: 200, ndjsonKeepaliveIntervalMs: 200 });
});
afterAll(async () => {
  await sandbox.server.close();
});

function streamUrl(identifier: string, query = ''): string {
  return `${sandbox.server.url}/process/${identifier}/logs/stream${query}`;
}

function outputLines(text: string): string[] {
  return text.split('\n').filter((line) => line.startsWith('stdout:') || line.startsWith('stderr:'));
}

describe('extensions (PROTOCOL.md §8) and lifecycle details', () => {
  it('since=N skips N records and answers X-Log-Offset', async () => {
    const { json } = await sandbox.exec({
      command: 'for i in 1 2 3 4 5; do echo n$i; done; echo e >&2',
      waitForCompletion: true,
    });
    const full = await fetch(streamUrl(json.pid), { headers: sandbox.authHeaders() });
    expect(full.headers.get('x-log-offset')).toBe('0');
    expect(outputLines(await full.text())).toEqual([
      'stdout:n1',
      'stdout:n2',
      'stdout:n3',
      'stdout:n4',
      'stdout:n5',
      'stderr:e',
    ]);
    const resumed = await fetch(streamUrl(json.pid, '?since=4'), { headers: sandbox.authHeaders() });
    expect(resumed.headers.get('x-log-offset')).toBe('4');
    expect(outputLines(await resumed.text())).toEqual(['stdout:n5', 'stderr:e']);
    const beyond = await fetch(streamUrl(json.pid, '?since=99'), { headers: sandbox.authHeaders() });
    expect(beyond.headers.get('x-log-offset')).toBe('99');
    expect(outputLines(await beyond.text())).toEqual([]);
  });

  it('since on a live stream resumes without loss or repetition', async () => {
    const { json } = await sandbox.exec({ command: 'for i in 1 2 3 4 5 6; do echo r$i; sleep 0.2; done' });
    const first = await fetch(streamUrl(json.pid), { headers: sandbox.authHeaders() });
    const partial = outputLines(await readUntil(first, (text) => outputLines(text).length >= 2)).slice(0, 2);
    const rest = await fetch(streamUrl(json.pid, `?since=${partial.length}`), { headers: sandbox.authHeaders() });
    expect(rest.headers.get('x-log-offset')).toBe('2');
    const remaining = outputLines(await rest.text());
    expect([...partial, ...remaining]).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].map((line) => `stdout:${line}`));
  });

  it('a dropped record answers X-Log-Offset > N and a truncation notice', async () => {
    const capped = await startTestServer({ outputMemoryBytes: 4096 });
    try {
      const { json } = await capped.exec({
        command: 'for i in $(seq 1 500); do echo line-$i; done',
        waitForCompletion: true,
      });
      const response = await fetch(`${capped.server.url}/process/${json.pid}/logs/stream?since=3`, {
        headers: capped.authHeaders(),
      });
      const offset = Number(response.headers.get('x-log-offset'));
      expect(offset).toBeGreaterThan(3);
      const text = await response.text();
      const lines = outputLines(text);
      expect(lines[0]).toBe(`stdout:line-${offset + 1}`);
      expect(lines.at(-1)).toBe('stdout:line-500');
      const fromStart = await fetch(`${capped.server.url}/process/${json.pid}/logs/stream`, {
        headers: capped.authHeaders(),
      });
      expect(await fromStart.text()).toMatch(/^\[Output truncated: \d+ records dropped\]\n/);
    } finally {
      await capped.server.close();
    }
  });

  it('kill with {"signal": "SIGINT"} delivers SIGINT', async () => {
    const { json } = await sandbox.exec({
      command: "trap 'echo got-int; exit 0' INT; echo ready; while true; do sleep 0.1; done",
    });
    await pollUntil(async () => (await sandbox.get(json.pid)).stdout.includes('ready'));
    const answer = await sandbox.request('DELETE', `/process/${json.pid}/kill`, { body: { signal: 'SIGINT' } });
    expect(answer.status).toBe(200);
    const final = await sandbox.waitForStatus(json.pid, (process) => process.status !== 'running');
    expect(final.stdout).toContain('got-int');
    expect(final.status).toBe('completed');
  });

  it('kill with SIGINT of a plain sleep ends killed', async () => {
    // sh (dash) catches a SIGINT that arrives while it forks a command, so exec sleep and wait until
    // the exec happened before signalling.
    const { json } = await sandbox.exec({ command: 'exec sleep 30' });
    await pollUntil(() =>
      commandProcesses(json.pid, sandbox.server.options.containment).some((entry) => entry.cmdline.startsWith('sleep')),
    );
    expect((await sandbox.request('DELETE', `/process/${json.pid}/kill`, { body: { signal: 'INT' } })).status).toBe(
      200,
    );
    const final = await sandbox.waitForStatus(json.pid, (process) => process.status !== 'running');
    expect(final.status).toBe('killed');
    expect(final.exitCode).toBe(-1);
  });

  it('a process that traps SIGTERM and exits 0 ends completed', async () => {
    const { json } = await sandbox.exec({ command: "trap 'exit 0' TERM; echo ready; while true; do sleep 0.1; done" });
    await pollUntil(async () => (await sandbox.get(json.pid)).stdout.includes('ready'));
    await sandbox.request('DELETE', `/process/${json.pid}`);
    expect((await sandbox.waitForStatus(json.pid, (process) => process.status !== 'running')).status).toBe('completed');
  });

  it('the log stream sends keepalives and notices, and stays open through restarts', async () => {
    const { json } = await sandbox.exec({
      command: 'echo attempt; sleep 0.5; exit 3',
      restartOnFailure: true,
      maxRestarts: 1,
    });
    const response = await fetch(streamUrl(json.pid), { headers: sandbox.authHeaders() });
    const text = await response.text();
    expect(outputLines(text)).toEqual(['stdout:attempt', 'stdout:attempt']);
    expect(text).toContain('[keepalive]\n');
    expect(text).toContain('[Process failed with exit code 3. Attempting restart 1/1...]\n');
    const final = await sandbox.get(json.pid);
    expect(final).toMatchObject({ status: 'failed', exitCode: 3, restartCount: 1 });
  });

  it('the stop notice appears on the stream', async () => {
    const { json } = await sandbox.exec({ command: 'echo up; sleep 30' });
    const response = await fetch(streamUrl(json.pid), { headers: sandbox.authHeaders() });
    const reading = response.text();
    await pollUntil(async () => (await sandbox.get(json.pid)).stdout.includes('up'));
    await sandbox.request('DELETE', `/process/${json.pid}`);
    const text = await reading;
    expect(text).toContain('stdout:up\n');
    expect(text).toContain('[Process is being gracefully terminated]\n');
  });

  it('stopping during a restart delay ends stopped', async () => {
    const slow = await startTestServer({ restartDelayMs: 60_000 });
    try {
      const { json } = await slow.exec({ command: 'exit 1', restartOnFailure: true, maxRestarts: -1 });
      const stream = await fetch(`${slow.server.url}/process/${json.pid}/logs/stream`, { headers: slow.authHeaders() });
      const seen = await readUntil(stream, (text) => text.includes('Attempting restart 1/unlimited...]\n'));
      expect(seen).toContain('[Process failed with exit code 1. Attempting restart 1/unlimited...]');
      expect((await slow.get(json.pid)).status).toBe('running');
      expect((await slow.request('DELETE', `/process/${json.pid}`)).status).toBe(200);
      expect((await slow.get(json.pid)).status).toBe('stopped');
      const replay = await fetch(`${slow.server.url}/process/${json.pid}/logs/stream`, { headers: slow.authHeaders() });
      expect(await replay.text()).toContain('[Process is being gracefully terminated]');
    } finally {
      await slow.server.close();
    }
  });

  it('NDJSON exec stream sends keepalives while the command runs', async () => {
    const response = await fetch(`${sandbox.server.url}/process`, {
      method: 'POST',
      headers: { ...sandbox.authHeaders(), 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({ command: 'sleep 1; echo late', waitForCompletion: true }),
    });
    const events = (await response.text())
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string });
    expect(events.some((event) => event.type === 'keepalive')).toBe(true);
    expect(events.at(-1)?.type).toBe('result');
  });

  it('a final partial line without newline becomes a record at exit, its bytes as written', async () => {
    const { json } = await sandbox.exec({ command: 'printf "a\\nno-newline"', waitForCompletion: true });
    expect(json.stdout).toBe('a\nno-newline');
    expect(json.logs).toBe('a\nno-newline');
    const text = await (await fetch(streamUrl(json.pid), { headers: sandbox.authHeaders() })).text();
    expect(outputLines(text)).toEqual(['stdout:a', 'stdout:no-newline']);
  });

  it('lookups: integer ids are pids only, names resolve to the most recent record', async () => {
    await sandbox.exec({ command: 'echo first', name: 'twice', waitForCompletion: true });
    const second = await sandbox.exec({ command: 'echo second', name: 'twice', waitForCompletion: true });
    expect((await sandbox.get('twice')).pid).toBe(second.json.pid);
    expect((await sandbox.get('twice')).stdout).toBe('second\n');
  });

  it('env is merged over the server environment and reused on restarts', async () => {
    const { json } = await sandbox.exec({
      command: 'echo "$GREETING $HOME"; exit 1',
      env: { GREETING: 'hi' },
      restartOnFailure: true,
      maxRestarts: 1,
      waitForCompletion: true,
    });
    const line = `hi ${process.env.HOME}\n`;
    expect(json.stdout).toBe(`${line}\n[Process failed with exit code 1. Attempting restart 1/1...]\n${line}`);
    // /logs, read from disk, shows the restart notice in stdout (and logs) as the Process object does.
    const logs = await sandbox.request<{ stdout: string; logs: string }>('GET', `/process/${json.pid}/logs`);
    expect(logs.json.stdout).toBe(json.stdout);
    expect(logs.json.logs).toBe(json.logs);
  });

  it('caps concurrent streams with 429 and frees the slot when a client leaves', async () => {
    const limited = await startTestServer({ maxStreams: 1 });
    try {
      const { json } = await limited.exec({ command: 'sleep 30' });
      const first = new AbortController();
      const open = await fetch(`${limited.server.url}/process/${json.pid}/logs/stream`, {
        headers: limited.authHeaders(),
        signal: first.signal,
      });
      expect(open.status).toBe(200);
      const refused = await limited.request('GET', `/process/${json.pid}/logs/stream`);
      expect(refused.status).toBe(429);
      expect(refused.json).toEqual({ error: expect.any(String) });
      first.abort();
      await pollUntil(async () => {
        const next = await fetch(`${limited.server.url}/process/${json.pid}/logs/stream`, {
          headers: limited.authHeaders(),
        });
        await next.body?.cancel();
        return next.status === 200;
      });
    } finally {
      await limited.server.close();
    }
  });

  it('close() kills every process group it started, background children included', async () => {
    const own = await startTestServer();
    const { json } = await own.exec({ command: 'sleep 300 & echo $!; wait' });
    await pollUntil(async () => (await own.get(json.pid)).stdout.trim().length > 0);
    const backgroundPid = hostPidOf(
      json.pid,
      Number((await own.get(json.pid)).stdout.trim()),
      own.server.options.containment,
    );
    const leaderPid = Number(json.pid);
    const restarting = await own.exec({ command: 'sleep 300', restartOnFailure: true, maxRestarts: -1 });
    expect(isAlive(backgroundPid)).toBe(true);
    await own.server.close();
    expect(own.server.stats().running).toBe(0);
    await pollUntil(() => !isAlive(backgroundPid) && !isAlive(leaderPid) && !isAlive(Number(restarting.json.pid)));
    await own.server.close();
  });
});
