/**
 * What a user meets when the base URL is not the process API, or something between them misbehaves:
 * a web app's page, another server's JSON, a proxy's HTML error page, an answer that stalls after
 * its headers or breaks in its body. Each is a typed error that names the URL, never a `TypeError`,
 * a hang, or a page of HTML as a message. Real servers on 127.0.0.1, port 0.
 */
import { getEventListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../test/helpers/sandbox.js';
import {
  createClient,
  HttpError,
  isSandprocError,
  NetworkError,
  NotFoundError,
  RequestTimeoutError,
  type SandprocClient,
} from '../index.js';

type Handler = (request: http.IncomingMessage, response: http.ServerResponse, index: number) => void;

const servers: http.Server[] = [];
/** A server that answers every request with `handler` (`index`: the request's rank, from 0); counts requests. */
async function serve(handler: Handler): Promise<{ client: SandprocClient; url: string; requests: () => number }> {
  let requests = 0;
  const server = http.createServer((request, response) => handler(request, response, requests++));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    client: createClient({ baseUrl: url, retry: { initialDelayMs: 1 }, requestTimeoutMs: 2000 }),
    requests: () => requests,
  };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const page = '<!doctype html><html><head><title>My app</title></head><body><div id="root"></div></body></html>';
const runningProcess = {
  pid: '7',
  name: 'web',
  command: 'serve',
  status: 'running',
  startedAt: 'Wed, 01 Jan 2025 12:00:00 GMT',
  completedAt: '',
};

describe('answers that are not the process API', () => {
  it("a web app's page at the base URL (200 text/html): every method is an HttpError naming the URL, not retried", async () => {
    const app = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(page);
    });
    const calls: [string, () => Promise<unknown>][] = [
      ['process/web', () => app.client.process.get('web')],
      ['process', () => app.client.process.list()],
      ['process', () => app.client.process.exec({ command: 'true' })],
      ['process', () => app.client.process.exec({ command: 'true', waitForCompletion: true })],
      ['process/web/logs', () => app.client.process.logs('web')],
      ['process/web', () => app.client.process.wait('web')],
      ['process/7', () => app.client.process.streamLogs('7').done],
    ];
    for (const [path, call] of calls) {
      const error = await call().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HttpError);
      expect((error as HttpError).kind).toBe('http');
      expect((error as HttpError).status).toBe(200);
      expect((error as HttpError).body).toBe(page);
      expect((error as Error).message).toContain(`${app.url}/${path} answered 200 (text/html)`);
      expect((error as Error).message).toContain('is the base URL right?');
    }
    // One request per call but the stream's (its connection, then its read of the process): nothing retried.
    expect(app.requests()).toBe(calls.length + 1);
  });

  it("another server's JSON (null, an object without pid, a string, a list of numbers) is an HttpError, not a TypeError", async () => {
    for (const body of ['null', '{"message":"ok"}', '"text"', '[1]']) {
      const other = await serve((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(body);
      });
      const { process: api } = other.client;
      for (const call of [() => api.get('web'), () => api.list(), () => api.exec({ command: 'true' })]) {
        const error = await call().catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(HttpError);
        expect(isSandprocError(error)).toBe(true);
        expect((error as Error).message).toContain(
          `answered 200 (application/json), not as the process API does: ${JSON.stringify(body)}`,
        );
      }
    }
  });

  it("a proxy's HTML error page (502) gives a short message naming the URL; the whole page stays in body", async () => {
    const gatewayPage = `<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>${'<p>filler</p>'.repeat(2000)}</body></html>`;
    const proxy = await serve((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end(gatewayPage);
    });
    const error = (await proxy.client.process.get('web').catch((caught: unknown) => caught)) as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(502);
    expect(error.body).toBe(gatewayPage);
    expect(
      error.message.startsWith(`HTTP 502 from ${proxy.url}/process/web: 502 Bad Gateway 502 Bad Gateway filler`),
    ).toBe(true);
    expect(error.message).not.toContain('<');
    expect(error.message.length).toBeLessThan(300);
    expect(proxy.requests()).toBe(3); // retried twice (502), then reported
  });

  it('a short plain-text error body stays the message as it is (the real router’s 404)', async () => {
    const router = await serve((_request, response) => {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('404 page not found');
    });
    const error = await router.client.process.logs('web').catch((caught: unknown) => caught);
    expect((error as Error).message).toBe('404 page not found');
  });

  it('a 404 for the list or a start (routes every server has) says the base URL may be wrong; for a process it does not', async () => {
    const elsewhere = await serve((_request, response) => {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('404 page not found');
    });
    const { process: api } = elsewhere.client;
    for (const call of [() => api.list(), () => api.exec({ command: 'true' })]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as Error).message).toBe(
        `404 page not found (${elsewhere.url}/process: no process API here; is the base URL right?)`,
      );
    }
    const unknown = await api.get('web').catch((caught: unknown) => caught);
    expect(unknown).toMatchObject({ message: '404 page not found', processId: 'web' });
  });

  it('an answer whose body stalls after its headers is a RequestTimeoutError, not a hang', async () => {
    const stalled = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"pid":');
    });
    const client = createClient({ baseUrl: stalled.url, retry: false, requestTimeoutMs: 300 });
    await expect(client.process.get('web')).rejects.toBeInstanceOf(RequestTimeoutError);
    await expect(client.process.list()).rejects.toBeInstanceOf(RequestTimeoutError);
  });

  it('a connection closed before the answer names the URL and the root cause, not only "fetch failed"', async () => {
    const closing = await serve((request) => request.socket.destroy());
    const client = createClient({ baseUrl: closing.url, retry: false });
    const error = await client.process.get('web').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toBe(`${closing.url}/process/web: fetch failed (other side closed)`);
  });

  it('a body broken in the middle is retried for a read (it is a network failure), then succeeds', async () => {
    const json = JSON.stringify(runningProcess);
    const flaky = await serve((_request, response, index) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(json.length) });
      if (index === 0) {
        response.write(json.slice(0, 10));
        setImmediate(() => response.socket?.destroy());
      } else response.end(json);
    });
    expect((await flaky.client.process.get('web')).pid).toBe('7');
    expect(flaky.requests()).toBe(2);
  });
});

describe('a long-lived signal passed to many calls', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox('extended');
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('requestTimeoutMs: Infinity (or beyond 2^31 ms) means no bound, not a timeout after 1 ms', async () => {
    for (const requestTimeoutMs of [Number.POSITIVE_INFINITY, 2 ** 32]) {
      const client = sandbox.clientFor(sandbox.url, { requestTimeoutMs, retry: false });
      expect(Array.isArray(await client.process.list())).toBe(true);
      const started = await client.process.exec({ command: 'echo once', waitForCompletion: true });
      const records: string[] = [];
      await client.process.streamLogs(started, {
        keepaliveTimeoutMs: requestTimeoutMs,
        onRecord: (record) => records.push(record.text),
      }).done;
      expect(records).toEqual(['once']);
    }
  });

  it('keeps no listener once each call is over (no MaxListenersExceededWarning, no leak)', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const application = new AbortController();
      const { signal } = application;
      const { process: api } = sandbox.client;
      const started = await api.exec({ command: 'echo hi; sleep 30', name: 'long-lived', stdin: true }, { signal });
      for (let call = 0; call < 20; call++) {
        await api.get(started.pid, { signal });
        await api.list({ signal });
        await api.logs(started.pid, { signal });
        await api.writeStdin(started.pid, 'x', { signal });
      }
      await api.closeStdin(started.pid, { signal });
      await api.kill(started.pid, { signal });
      await api.wait(started.pid, { signal, intervalMs: 20 });
      expect(getEventListeners(signal, 'abort')).toHaveLength(0);
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
