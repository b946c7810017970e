import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessJson } from './process/process-status.js';
import { startTestServer, type TestServer } from './testing/test-server.js';

let sandbox: TestServer;
let strict: TestServer;
beforeAll(async () => {
  sandbox = await startTestServer();
  strict = await startTestServer({ compatibility: 'strict' });
});
afterAll(async () => {
  await sandbox.server.close();
  await strict.server.close();
});

describe('ETag and 304 (extended mode)', () => {
  it('GET /process/{id} answers 304 to its own ETag until the process changes', async () => {
    const { json } = await sandbox.exec({ command: 'read line; echo "got $line"', stdin: true });
    const first = await sandbox.request<ProcessJson>('GET', `/process/${json.pid}`);
    const tag = first.headers.get('etag');
    expect(tag).toMatch(/^".+"$/);
    const again = await sandbox.request('GET', `/process/${json.pid}`, { headers: { 'If-None-Match': tag! } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.get('etag')).toBe(tag);
    await sandbox.request('POST', `/process/${json.pid}/stdin`, {
      rawBody: 'hello\n',
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    const done = await sandbox.waitForStatus(json.pid, (process) => process.status === 'completed');
    expect(done.stdout).toBe('got hello\n');
    const changed = await sandbox.request<ProcessJson>('GET', `/process/${json.pid}`, {
      headers: { 'If-None-Match': tag! },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(tag);
  });

  it('GET /process answers 304 to its ETag until any process changes or starts', async () => {
    const first = await sandbox.request<ProcessJson[]>('GET', '/process');
    const tag = first.headers.get('etag')!;
    expect((await sandbox.request('GET', '/process', { headers: { 'If-None-Match': `"other", ${tag}` } })).status).toBe(
      304,
    );
    await sandbox.exec({ command: 'echo new', waitForCompletion: true });
    const after = await sandbox.request<ProcessJson[]>('GET', '/process', { headers: { 'If-None-Match': tag } });
    expect(after.status).toBe(200);
    expect(after.json.length).toBe(first.json.length + 1);
  });

  it('strict mode sends no ETag and ignores If-None-Match, as the real server', async () => {
    const { json } = await strict.exec({ command: 'echo strict', waitForCompletion: true });
    const one = await strict.request('GET', `/process/${json.pid}`, { headers: { 'If-None-Match': '*' } });
    expect(one.status).toBe(200);
    expect(one.headers.get('etag')).toBeNull();
    expect((await strict.request('GET', '/process', { headers: { 'If-None-Match': '*' } })).status).toBe(200);
  });
});

describe('bounded inline output', () => {
  const command = `seq 1 100000; seq 1 20000 >&2`;

  it('list answers carry at most 2 KiB per field in extended mode, GET one the last 64 KiB', async () => {
    const { json } = await sandbox.exec({ command, waitForCompletion: true });
    const list = await sandbox.request<ProcessJson[]>('GET', '/process');
    const listed = list.json.find((process) => process.pid === json.pid)!;
    for (const field of ['stdout', 'stderr', 'logs'] as const) {
      expect(Buffer.byteLength(listed[field] ?? '')).toBeLessThanOrEqual(2048);
      expect(Buffer.byteLength(listed[field] ?? '')).toBeGreaterThan(2000);
    }
    expect(listed.stdout?.endsWith('\n100000\n')).toBe(true);
    const one = await sandbox.get(json.pid);
    expect(Buffer.byteLength(one.stdout ?? '')).toBeLessThanOrEqual(64 * 1024);
    expect(Buffer.byteLength(one.stdout ?? '')).toBeGreaterThan(60 * 1024);
  });

  it('strict mode keeps the 64 KiB inline fields in lists', async () => {
    const { json } = await strict.exec({ command, waitForCompletion: true });
    const list = await strict.request<ProcessJson[]>('GET', '/process');
    const listed = list.json.find((process) => process.pid === json.pid)!;
    expect(Buffer.byteLength(listed.stdout ?? '')).toBeGreaterThan(60 * 1024);
  });
});

describe('spawn failures', () => {
  it("a child PATH that hides the shell still runs the command, as the real server does (the shell is found on the server's PATH)", async () => {
    const { status, json } = await sandbox.exec({
      command: 'echo hi',
      env: { PATH: '/nonexistent' },
      waitForCompletion: true,
    });
    expect(status).toBe(200);
    expect(json.status).toBe('completed');
    expect(json.stdout).toBe('hi\n');
  });

  it('a command the system refuses to spawn answers 422 naming it, and leaves no record', async () => {
    const before = (await sandbox.request<ProcessJson[]>('GET', '/process')).json.length;
    // One environment string longer than the kernel's per-string limit (128 KiB): execve fails (E2BIG).
    const response = await sandbox.exec({ command: 'echo never', name: 'too-big', env: { HUGE: 'x'.repeat(200_000) } });
    expect(response.status).toBe(422);
    expect((response.json as unknown as { error: string }).error).toMatch(/could not execute command 'echo never'/);
    expect((await sandbox.request('GET', '/process/too-big')).status).toBe(404);
    expect((await sandbox.request<ProcessJson[]>('GET', '/process')).json.length).toBe(before);
  });
});
