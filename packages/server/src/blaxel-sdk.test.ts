import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil, startTestServer, type TestServer } from './testing/test-server.js';

/** The slice of the official SDK's process API this test drives. */
interface SdkProcess {
  pid: string;
  name: string;
  status: string;
  exitCode: number;
  restartCount?: number;
  stdout?: string;
  logs?: string;
  close?: () => void;
}
interface SdkProcessApi {
  exec(request: Record<string, unknown>): Promise<SdkProcess>;
  get(identifier: string): Promise<SdkProcess>;
  list(): Promise<SdkProcess[]>;
  logs(identifier: string, type?: 'all' | 'stdout' | 'stderr'): Promise<string>;
  streamLogs(
    identifier: string,
    options: {
      onLog?: (line: string) => void;
      onStdout?: (line: string) => void;
      onStderr?: (line: string) => void;
      onError?: (error: Error) => void;
    },
  ): { close(): void; wait(): Promise<void> };
  wait(identifier: string, options?: { maxWait?: number; interval?: number }): Promise<SdkProcess>;
  stop(identifier: string): Promise<unknown>;
  kill(identifier: string): Promise<unknown>;
  writeStdin(identifier: string, data: string): Promise<void>;
  closeStdin(identifier: string): Promise<void>;
}

let sandbox: TestServer;
let sdk: SdkProcessApi;
/** The SDK's filesystem API, which the local server does not serve. */
let sdkFilesystem: { ls(path: string): Promise<unknown> };
const requestedUrls: string[] = [];
const originalFetch = globalThis.fetch;

beforeAll(async () => {
  process.env.DO_NOT_TRACK = '1';
  process.env.BL_DISABLE_H2 = 'true';
  process.env.BL_WORKSPACE ??= 'local-test';
  globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    requestedUrls.push(input instanceof Request ? input.url : input.toString());
    return originalFetch(input, init);
  }) as typeof fetch;
  sandbox = await startTestServer();
  const { SandboxInstance } = await import('@blaxel/core');
  const instance = new SandboxInstance({
    metadata: { name: 'local' },
    forceUrl: sandbox.server.url,
    headers: { Authorization: `Bearer ${sandbox.server.token}` },
  } as never);
  sdk = instance.process as unknown as SdkProcessApi;
  sdkFilesystem = instance.fs as unknown as typeof sdkFilesystem;
});

afterAll(async () => {
  globalThis.fetch = originalFetch;
  await sandbox.server.close();
});

describe('the official @blaxel/core SDK against the local server', () => {
  it('exec with waitForCompletion', async () => {
    const result = await sdk.exec({ command: "echo 'Hello World'", waitForCompletion: true });
    expect(result.status).toBe('completed');
    expect(result.exitCode).toBe(0);
    expect(result.logs).toContain('Hello World');
  });

  it('exec with waitForCompletion and onLog streams over NDJSON', async () => {
    const lines: string[] = [];
    const stdout: string[] = [];
    const result = await sdk.exec({
      command: 'echo one; sleep 0.2; echo two >&2',
      waitForCompletion: true,
      onLog: (line: string) => lines.push(line),
      onStdout: (line: string) => stdout.push(line),
    });
    expect(result.status).toBe('completed');
    expect(lines.join('')).toContain('one');
    expect(lines.join('')).toContain('two');
    expect(stdout.join('')).toBe('one\n');
  });

  it('exec without wait, get, list, logs and wait', async () => {
    const started = await sdk.exec({ command: 'echo started; sleep 0.5; echo done', name: 'sdk-bg' });
    expect(started.status).toBe('running');
    expect((await sdk.get('sdk-bg')).pid).toBe(started.pid);
    expect((await sdk.list()).some((entry) => entry.name === 'sdk-bg')).toBe(true);
    const final = await sdk.wait('sdk-bg', { maxWait: 20_000, interval: 100 });
    expect(final.status).toBe('completed');
    expect(await sdk.logs('sdk-bg', 'stdout')).toBe('started\ndone\n');
    expect(await sdk.logs('sdk-bg')).toContain('done');
  });

  it('exec without wait with onLog follows the log stream', async () => {
    const lines: string[] = [];
    const started = await sdk.exec({
      command: 'for i in 1 2 3; do echo tick$i; sleep 0.1; done',
      onLog: (line: string) => lines.push(line),
    });
    await pollUntil(() => lines.includes('tick3'));
    expect(lines.filter((line) => line.startsWith('tick'))).toEqual(['tick1', 'tick2', 'tick3']);
    started.close?.();
  });

  it('streamLogs delivers stdout and stderr lines and ends at exit', async () => {
    const started = await sdk.exec({ command: 'echo a; sleep 0.3; echo b >&2; sleep 0.2; echo c' });
    const stdout: string[] = [];
    const stderr: string[] = [];
    const errors: Error[] = [];
    const stream = sdk.streamLogs(started.pid, {
      onStdout: (line) => stdout.push(line),
      onStderr: (line) => stderr.push(line),
      onError: (error) => errors.push(error),
    });
    await stream.wait();
    expect(stdout).toEqual(['a', 'c']);
    expect(stderr).toEqual(['b']);
    expect(errors).toEqual([]);
  });

  it('stop and kill', async () => {
    const toStop = await sdk.exec({ command: 'sleep 30', name: 'sdk-stop' });
    await sdk.stop('sdk-stop');
    expect((await sdk.wait(toStop.pid, { maxWait: 20_000, interval: 100 })).status).toBe('stopped');
    const toKill = await sdk.exec({ command: 'sleep 30', name: 'sdk-kill' });
    await sdk.kill('sdk-kill');
    expect((await sdk.wait(toKill.pid, { maxWait: 20_000, interval: 100 })).status).toBe('killed');
    await expect(sdk.kill('sdk-kill')).rejects.toThrow(/404/);
    await expect(sdk.get('no-such-process')).rejects.toThrow(/404/);
  });

  it('restart on failure keeps pid and name', async () => {
    const started = await sdk.exec({ command: 'exit 7', name: 'sdk-restart', restartOnFailure: true, maxRestarts: 2 });
    const final = await sdk.wait('sdk-restart', { maxWait: 20_000, interval: 100 });
    expect(final).toMatchObject({
      status: 'failed',
      exitCode: 7,
      restartCount: 2,
      pid: started.pid,
      name: 'sdk-restart',
    });
  });

  it('stdin through writeStdin and closeStdin', async () => {
    const started = await sdk.exec({ command: 'cat', stdin: true });
    await sdk.writeStdin(started.pid, 'via sdk\n');
    await pollUntil(async () => (await sdk.get(started.pid)).stdout === 'via sdk\n');
    await sdk.closeStdin(started.pid);
    expect((await sdk.wait(started.pid, { maxWait: 20_000, interval: 100 })).status).toBe('completed');
  });

  it('a call of an API the local server does not serve (filesystem) fails with a message that says so', async () => {
    await expect(sdkFilesystem.ls('/tmp')).rejects.toThrow(
      /404[\s\S]*\/filesystem routes, which this local sandbox does not serve/,
    );
  });

  it('sent traffic only to the loopback server', () => {
    expect(requestedUrls.length).toBeGreaterThan(0);
    for (const url of requestedUrls) expect(url.startsWith(sandbox.server.url)).toBe(true);
  });
});
