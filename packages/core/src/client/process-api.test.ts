import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modes, startSandbox, until, type Sandbox } from '../../test/helpers/sandbox.js';
import {
  BadRequestError,
  NotFoundError,
  UnauthorizedError,
  UnprocessableError,
  WaitTimeoutError,
  createClient,
  isNotFoundError,
  isSandprocError,
  waitForLog,
  type LogRecord,
} from '../index.js';

describe.each(modes)('process API against the local server (%s)', (mode) => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(mode);
  });
  afterAll(() => sandbox.close());

  it('exec with waitForCompletion resolves with the final, normalized process', async () => {
    const process = await sandbox.client.process.exec({
      command: "echo 'Hello World'; echo err >&2",
      waitForCompletion: true,
    });
    expect(process.status).toBe('completed');
    expect(process.exitCode).toBe(0);
    expect(typeof process.pid).toBe('string');
    expect(process.pid).toMatch(/^\d+$/);
    expect(process.name).toMatch(/^proc-[a-z0-9]{8}$/);
    expect(process.startedAt).toBeInstanceOf(Date);
    expect(process.completedAt).toBeInstanceOf(Date);
    expect(process.stdout).toContain('Hello World');
    expect(process.stderr).toContain('err');
    expect(process.logs).toContain('Hello World');
  });

  it('a non-zero exit is a result, not an error', async () => {
    const process = await sandbox.client.process.exec({ command: 'exit 42', waitForCompletion: true });
    expect(process.status).toBe('failed');
    expect(process.exitCode).toBe(42);
  });

  it('exec passes every request field: name, workingDir, env', async () => {
    const process = await sandbox.client.process.exec({
      command: 'pwd; echo "$GREETING"',
      name: `fields-${mode}`,
      workingDir: '/tmp',
      env: { GREETING: 'bonjour' },
      waitForCompletion: true,
    });
    expect(process.name).toBe(`fields-${mode}`);
    expect(process.workingDir).toBe('/tmp');
    expect(process.stdout).toBe('/tmp\nbonjour\n');
  });

  it('exec with waitForCompletion streams each line to onStdout/onStderr/onLog, exactly once', async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const records: LogRecord[] = [];
    const process = await sandbox.client.process.exec(
      { command: 'for i in 1 2 3; do echo out $i; echo err $i >&2; sleep 0.05; done', waitForCompletion: true },
      {
        onStdout: (text) => stdout.push(text),
        onStderr: (text) => stderr.push(text),
        onLog: (record) => records.push(record),
      },
    );
    expect(process.status).toBe('completed');
    expect(stdout).toEqual(['out 1', 'out 2', 'out 3']);
    expect(stderr).toEqual(['err 1', 'err 2', 'err 3']);
    expect(records.map((record) => record.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('exec without waiting answers at once; callbacks then follow the log stream', async () => {
    const lines: string[] = [];
    const process = await sandbox.client.process.exec(
      { command: 'sleep 0.3; echo late; sleep 0.2; echo later' },
      { onStdout: (text) => lines.push(text) },
    );
    expect(process.status).toBe('running');
    expect(process.completedAt).toBeNull();
    await until(() => lines.length === 2);
    expect(lines).toEqual(['late', 'later']);
  });

  it('exec with a timeout that passes rejects with UnprocessableError (the process keeps running)', async () => {
    const error = await sandbox.client.process
      .exec({ command: 'sleep 5', name: `slow-${mode}`, timeout: 1, waitForCompletion: true })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnprocessableError);
    expect((error as UnprocessableError).message).toMatch(/timed out after 1 seconds/);
    expect((await sandbox.client.process.get(`slow-${mode}`)).status).toBe('running');
    await sandbox.client.process.kill(`slow-${mode}`);
  });

  it('exec errors: 400 with the server message, 422 for a missing working directory', async () => {
    const empty = await sandbox.client.process.exec({ command: '' }).catch((caught: unknown) => caught);
    expect(empty).toBeInstanceOf(BadRequestError);
    expect((empty as BadRequestError).status).toBe(400);
    expect((empty as BadRequestError).message.length).toBeGreaterThan(0);
    const missing = await sandbox.client.process
      .exec({ command: 'true', workingDir: '/does/not/exist' })
      .catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(UnprocessableError);
    await sandbox.client.process.exec({ command: 'sleep 5', name: `dup-${mode}` });
    const duplicate = await sandbox.client.process
      .exec({ command: 'true', name: `dup-${mode}` })
      .catch((caught: unknown) => caught);
    expect(duplicate).toBeInstanceOf(BadRequestError);
    await sandbox.client.process.kill(`dup-${mode}`);
  });

  // The real server counts a port only once it listens on a routable address (not loopback only).
  it('exec with waitForPorts answers once the port accepts connections', async () => {
    // A port that was free a moment ago (a random one could belong to another test's connection).
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const process = await sandbox.client.process.exec({
      command: `node -e "require('net').createServer().listen(${port}, '0.0.0.0'); setTimeout(() => {}, 10000)"`,
      waitForPorts: [port],
      timeout: 20,
    });
    expect(process.status).toBe('running');
    await sandbox.client.process.kill(process.pid);
  });

  it('keepAlive with a timeout auto-kills the process', async () => {
    const process = await sandbox.client.process.exec({ command: 'sleep 30', keepAlive: true, timeout: 1 });
    expect(process.keepAlive).toBe(true);
    const final = await sandbox.client.process.wait(process.pid, { intervalMs: 100, maxWaitMs: 20_000 });
    expect(final.status).toBe('killed');
  });

  it('get by pid and by name; unknown id rejects with NotFoundError carrying the id', async () => {
    const started = await sandbox.client.process.exec({
      command: 'true',
      name: `named-${mode}`,
      waitForCompletion: true,
    });
    expect((await sandbox.client.process.get(started.pid)).name).toBe(`named-${mode}`);
    expect((await sandbox.client.process.get(`named-${mode}`)).pid).toBe(started.pid);
    const error = await sandbox.client.process.get('no-such-process').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(isNotFoundError(error)).toBe(true);
    expect(isSandprocError(error)).toBe(true);
    expect((error as NotFoundError).processId).toBe('no-such-process');
    expect((error as NotFoundError).status).toBe(404);
  });

  it('list returns normalized processes, completedAt null while running', async () => {
    const running = await sandbox.client.process.exec({ command: 'sleep 5' });
    const listed = await sandbox.client.process.list();
    const entry = listed.find((process) => process.pid === running.pid);
    expect(entry?.status).toBe('running');
    expect(entry?.completedAt).toBeNull();
    expect(entry?.startedAt).toBeInstanceOf(Date);
    await sandbox.client.process.kill(running.pid);
  });

  it('stop and kill resolve with the state; on a finished process, with its final state', async () => {
    const toStop = await sandbox.client.process.exec({ command: 'sleep 30' });
    await sandbox.client.process.stop(toStop.pid);
    expect((await sandbox.client.process.wait(toStop.pid, { intervalMs: 50 })).status).toBe('stopped');
    const again = await sandbox.client.process.stop(toStop.pid);
    expect(again.status).toBe('stopped');
    const toKill = await sandbox.client.process.exec({ command: 'sleep 30' });
    await sandbox.client.process.kill(toKill.pid);
    expect((await sandbox.client.process.wait(toKill.pid, { intervalMs: 50 })).status).toBe('killed');
    expect((await sandbox.client.process.kill(toKill.pid)).status).toBe('killed');
    const done = await sandbox.client.process.exec({ command: 'true', waitForCompletion: true });
    expect((await sandbox.client.process.kill(done.pid)).status).toBe('completed');
    await expect(sandbox.client.process.stop('no-such-process')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('kill with killSignal (extended: the signal is delivered; strict and the reference: SIGKILL)', async () => {
    const process = await sandbox.client.process.exec({
      command: "trap 'exit 0' INT; echo ready; while true; do sleep 0.1; done",
    });
    await waitForLog(sandbox.client, process.pid, 'ready');
    await sandbox.client.process.kill(process.pid, { killSignal: 'SIGINT' });
    const final = await sandbox.client.process.wait(process.pid, { intervalMs: 50 });
    expect(final.status).toBe(mode === 'extended' ? 'completed' : 'killed');
  });

  it('logs returns stdout, stderr or both', async () => {
    const process = await sandbox.client.process.exec({ command: 'echo out; echo err >&2', waitForCompletion: true });
    expect(await sandbox.client.process.logs(process.pid, { stream: 'stdout' })).toBe('out\n');
    expect(await sandbox.client.process.logs(process.pid, { stream: 'stderr' })).toBe('err\n');
    const all = await sandbox.client.process.logs(process.pid);
    expect(all).toContain('out\n');
    expect(all).toContain('err\n');
    await expect(sandbox.client.process.logs('no-such-process')).rejects.toBeInstanceOf(NotFoundError);
  });

  // Stdin routes are newer than the reference build (PROTOCOL.md §8): ours only.
  it.skipIf(mode === 'reference')('writeStdin and closeStdin', async () => {
    const process = await sandbox.client.process.exec({ command: 'cat', stdin: true });
    await sandbox.client.process.writeStdin(process.pid, 'hello ');
    await sandbox.client.process.writeStdin(process.pid, new TextEncoder().encode('bytes\n'));
    await sandbox.client.process.closeStdin(process.pid);
    const final = await sandbox.client.process.wait(process.pid, { intervalMs: 50 });
    expect(final.status).toBe('completed');
    expect(await sandbox.client.process.logs(process.pid, { stream: 'stdout' })).toBe('hello bytes\n');
    const closed = await sandbox.client.process.writeStdin(process.pid, 'late').catch((caught: unknown) => caught);
    expect(isSandprocError(closed)).toBe(true);
    expect((closed as { status: number }).status).toBe(409);
  });

  it('wait returns at once for a finished process and throws WaitTimeoutError for a running one', async () => {
    const done = await sandbox.client.process.exec({ command: 'true', waitForCompletion: true });
    expect((await sandbox.client.process.wait(done.pid)).status).toBe('completed');
    const running = await sandbox.client.process.exec({ command: 'sleep 10' });
    const error = await sandbox.client.process
      .wait(running.pid, { maxWaitMs: 300, intervalMs: 50 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).processId).toBe(running.pid);
    expect((error as WaitTimeoutError).process?.status).toBe('running');
    expect((error as WaitTimeoutError).message).toMatch(/still running/);
    await sandbox.client.process.kill(running.pid);
    await expect(sandbox.client.process.wait('no-such-process')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('wait follows a restartOnFailure process through its restarts', async () => {
    const process = await sandbox.client.process.exec({ command: 'exit 1', restartOnFailure: true, maxRestarts: 2 });
    const final = await sandbox.client.process.wait(process.pid, { intervalMs: 50 });
    expect(final.status).toBe('failed');
    expect(final.restartCount).toBe(2);
  });

  it('waitForLog resolves with the first matching record, or times out', async () => {
    const process = await sandbox.client.process.exec({
      command: 'echo starting; sleep 0.2; echo "listening on 1234"; sleep 10',
    });
    const record = await waitForLog(sandbox.client, process.pid, /listening on \d+/);
    expect(record).toEqual({ stream: 'stdout', text: 'listening on 1234', index: 1 });
    await expect(waitForLog(sandbox.client, process.pid, 'never printed', { maxWaitMs: 300 })).rejects.toBeInstanceOf(
      WaitTimeoutError,
    );
    await sandbox.client.process.kill(process.pid);
    const ended = await waitForLog(sandbox.client, process.pid, 'never printed').catch((caught: unknown) => caught);
    expect((ended as { kind: string }).kind).toBe('stream');
    expect((ended as Error).message).toBe(`output of ${process.pid} ended without a line matching "never printed"`);
    const endedForRegExp = await waitForLog(sandbox.client, process.pid, /never \d+/).catch(
      (caught: unknown) => caught,
    );
    expect((endedForRegExp as Error).message).toBe(
      `output of ${process.pid} ended without a line matching /never \\d+/`,
    );
  });

  it('every call takes an AbortSignal and rejects with its reason', async () => {
    const aborted = AbortSignal.abort();
    await expect(sandbox.client.process.get('x', { signal: aborted })).rejects.toMatchObject({ name: 'AbortError' });
    await expect(sandbox.client.process.list({ signal: aborted })).rejects.toMatchObject({ name: 'AbortError' });
    await expect(sandbox.client.process.exec({ command: 'true' }, { signal: aborted })).rejects.toMatchObject({
      name: 'AbortError',
    });
    const running = await sandbox.client.process.exec({ command: 'sleep 10' });
    const controller = new AbortController();
    const waiting = sandbox.client.process.wait(running.pid, { signal: controller.signal, intervalMs: 50 });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    const execController = new AbortController();
    const execution = sandbox.client.process.exec(
      { command: 'sleep 10', waitForCompletion: true },
      { signal: execController.signal },
    );
    setTimeout(() => execController.abort(), 100);
    await expect(execution).rejects.toMatchObject({ name: 'AbortError' });
    await sandbox.client.process.kill(running.pid);
  });

  // The reference has no auth.
  it.skipIf(mode === 'reference')('a wrong token rejects with UnauthorizedError', async () => {
    const client = createClient({ baseUrl: sandbox.url, token: 'wrong' });
    const error = await client.process.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as UnauthorizedError).status).toBe(401);
  });
});
