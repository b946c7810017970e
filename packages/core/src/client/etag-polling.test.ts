import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modes, startSandbox, type Sandbox } from '../../test/helpers/sandbox.js';

/**
 * In front of the real local server: records the `If-None-Match` of each `GET /process[/{id}]`, and
 * where the server sends no `ETag` itself, adds one (a hash of the body) and answers `304` to a
 * matching `If-None-Match`, as a server with ETags does. A server that sends its own passes through.
 * With `etags: false` it is a server without them (any `ETag` of the server is removed).
 */
function etagFetch(etags = true) {
  const asked: { path: string; ifNoneMatch: string | null; status: number }[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    const response = await fetch(request);
    if (request.method !== 'GET' || !/^\/process(\/[^/]+)?$/.test(path)) return response;
    const ifNoneMatch = request.headers.get('if-none-match');
    if (!etags) {
      asked.push({ path, ifNoneMatch, status: response.status });
      const headers = new Headers(response.headers);
      headers.delete('etag');
      return new Response(response.body, { status: response.status, headers });
    }
    if (response.headers.has('etag') || !response.ok) {
      asked.push({ path, ifNoneMatch, status: response.status });
      return response;
    }
    const body = await response.text();
    const headers = new Headers(response.headers);
    headers.set('etag', `"${createHash('sha1').update(body).digest('base64url')}"`);
    const status = ifNoneMatch === headers.get('etag') ? 304 : response.status;
    asked.push({ path, ifNoneMatch, status });
    return new Response(status === 304 ? null : body, { status, headers });
  };
  return { fetch: wrapped, asked };
}

describe.each(modes)('get and list poll with ETags (%s)', (mode) => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(mode);
  });
  afterAll(() => sandbox.close());

  it('a process that did not change: If-None-Match, 304, and the same object as before', async () => {
    const done = await sandbox.client.process.exec({ command: 'echo same', waitForCompletion: true });
    const { fetch, asked } = etagFetch();
    const client = sandbox.clientFor(sandbox.url, { fetch });
    const first = await client.process.get(done.pid);
    const second = await client.process.get(done.pid);
    expect(second).toBe(first);
    expect(asked.map((request) => request.status)).toEqual([200, 304]);
    expect(asked[0]?.ifNoneMatch).toBeNull();
    expect(asked[1]?.ifNoneMatch).toMatch(/^"/);
    const list = await client.process.list();
    expect(await client.process.list()).toBe(list);
    expect(asked.slice(2).map((request) => request.status)).toEqual([200, 304]);
  });

  it('a change is a 200 with the new state; wait polls with If-None-Match too', async () => {
    const started = await sandbox.client.process.exec({ command: 'sleep 0.5' });
    const { fetch, asked } = etagFetch();
    const client = sandbox.clientFor(sandbox.url, { fetch });
    const running = await client.process.get(started.pid);
    expect(running.status).toBe('running');
    const final = await client.process.wait(started.pid, { intervalMs: 50 });
    expect(final.status).toBe('completed');
    expect(final).not.toBe(running);
    expect(asked.filter((request) => request.status === 304).length).toBeGreaterThan(0);
    expect(asked.at(-1)?.status).toBe(200);
  });

  it('against a server without ETags nothing is kept and no If-None-Match is sent', async () => {
    const done = await sandbox.client.process.exec({ command: 'true', waitForCompletion: true });
    const { fetch, asked } = etagFetch(false);
    const client = sandbox.clientFor(sandbox.url, { fetch });
    const first = await client.process.get(done.pid);
    const second = await client.process.get(done.pid);
    await client.process.list();
    await client.process.list();
    expect(asked.map((request) => [request.ifNoneMatch, request.status])).toEqual(Array(4).fill([null, 200]));
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });

  it('memory is bounded: past 64 paths the least recently used is dropped', async () => {
    const pids: string[] = [];
    for (let index = 0; index < 66; index++)
      pids.push((await sandbox.client.process.exec({ command: 'true', waitForCompletion: true })).pid);
    const { fetch, asked } = etagFetch();
    const client = sandbox.clientFor(sandbox.url, { fetch });
    for (const pid of pids) await client.process.get(pid);
    await client.process.get(pids[0]!); // dropped: asked without If-None-Match
    await client.process.get(pids[65]!); // kept
    expect(asked.slice(-2).map((request) => request.ifNoneMatch === null)).toEqual([true, false]);
  });
});
