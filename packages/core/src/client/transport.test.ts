import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type ConnectionFault, type FaultProxy } from '../../test/helpers/fault-proxy.js';
import { modes, startSandbox, type Sandbox } from '../../test/helpers/sandbox.js';
import { HttpError, NetworkError, RequestTimeoutError, createClient, isHttpError, isSandprocError } from '../index.js';

describe.each(modes)('requests, retries and timeouts (%s)', (mode) => {
  let sandbox: Sandbox;
  const proxies: FaultProxy[] = [];
  const proxy = async (policy: (index: number) => ConnectionFault) => {
    const started = await startFaultProxy(sandbox.url, policy);
    proxies.push(started);
    return started;
  };
  beforeAll(async () => {
    sandbox = await startSandbox(mode);
  });
  afterAll(async () => {
    for (const started of proxies) await started.close();
    await sandbox.close();
  });

  it('reads retry on network errors and 503, then succeed', async () => {
    const flaky = await proxy((index) =>
      index === 0 ? { answer503: true } : index === 1 ? { dropRequest: true } : {},
    );
    const list = await sandbox.clientFor(flaky.url).process.list();
    expect(Array.isArray(list)).toBe(true);
    expect(flaky.faults).toBe(2);
  });

  it('with retries off, a 503 is an HttpError with status and body, a drop a NetworkError', async () => {
    const busy = await proxy((index) => (index === 0 ? { answer503: true } : { dropRequest: true }));
    const client = sandbox.clientFor(busy.url, { retry: false });
    const error = await client.process.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpError);
    expect(isHttpError(error)).toBe(true);
    expect((error as HttpError).status).toBe(503);
    expect((error as HttpError).body).toBe('busy');
    const dropped = await client.process.list().catch((caught: unknown) => caught);
    expect(dropped).toBeInstanceOf(NetworkError);
    expect((dropped as Error).name).toBe('NetworkError');
  });

  it('retries are bounded: a server that never answers well fails after `limit` retries', async () => {
    const down = await proxy(() => ({ answer503: true }));
    const error = await sandbox
      .clientFor(down.url, { retry: { limit: 2, initialDelayMs: 10 } })
      .process.get('x')
      .catch((caught: unknown) => caught);
    expect((error as HttpError).status).toBe(503);
    expect(down.faults).toBe(3);
  });

  it('exec (POST) is never retried blindly', async () => {
    const busy = await proxy(() => ({ answer503: true }));
    const error = await sandbox
      .clientFor(busy.url)
      .process.exec({ command: 'true' })
      .catch((caught: unknown) => caught);
    // The 503 came before the server: the lookup by name also got 503, so exec cannot know.
    expect(isSandprocError(error)).toBe(true);
    expect((error as { kind: string }).kind).toBe('exec-outcome-unknown');
    expect(busy.faults).toBe(4); // the POST once, then the lookup with its two retries
  });

  it('no response headers within requestTimeoutMs rejects with RequestTimeoutError', async () => {
    const hole = await proxy(() => ({ blackhole: true }));
    const client = createClient({ baseUrl: hole.url, requestTimeoutMs: 300, retry: false });
    const error = await client.process.get('x').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect((error as RequestTimeoutError).timeoutMs).toBe(300);
  });

  it('wait never swallows a failing poll', async () => {
    const link = await proxy(() => ({}));
    const client = sandbox.clientFor(link.url, { retry: false });
    const running = await sandbox.client.process.exec({ command: 'sleep 10' });
    const waiting = client.process.wait(running.pid, { intervalMs: 50 }).catch((caught: unknown) => caught);
    await client.process.get(running.pid); // the link works...
    await link.close(); // ...then the sandbox becomes unreachable
    expect(await waiting).toBeInstanceOf(NetworkError);
    await sandbox.client.process.kill(running.pid);
  });

  it('the fetch option and extra headers are used for every request', async () => {
    const seen: Headers[] = [];
    const client = createClient({
      baseUrl: `${sandbox.url}/`,
      headers: { authorization: `Bearer ${sandbox.token}`, 'x-trace': 'abc' },
      fetch: (input, init) => {
        seen.push(new Headers(input instanceof Request ? input.headers : init?.headers));
        return fetch(input, init);
      },
    });
    await client.process.list();
    expect(client.baseUrl).toBe(sandbox.url);
    expect(seen.length).toBe(1);
    expect(seen[0]?.get('x-trace')).toBe('abc');
  });
});

describe('Retry-After on reads', () => {
  it('a 503 Retry-After longer than retry.maxDelayMs is capped: reads fail within the documented bound', async () => {
    let hits = 0;
    const server = http.createServer((_request, response) => {
      hits++;
      response.writeHead(503, { 'retry-after': '3600', 'content-type': 'application/json' });
      response.end('{"error":"busy"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = createClient({ baseUrl: `http://127.0.0.1:${port}`, retry: { limit: 2, maxDelayMs: 20 } });
      // Uncapped, ky would wait an hour before the first retry (the test's bound fails it).
      const error = await client.process.get('x').catch((caught: unknown) => caught);
      expect(isHttpError(error) && error.status).toBe(503);
      expect((error as HttpError).retryAfterMs).toBe(3_600_000);
      expect(hits).toBe(3);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 10_000);
});
