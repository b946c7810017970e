import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpenSocket, openSocket as openRawSocket } from './testing/raw-socket.js';
import { pollUntil, startTestServer, type TestServer } from './testing/test-server.js';

const servers: TestServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) await server.server.close();
});

async function start(options: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}

/** Opens a raw TCP connection to the server, closed after the test. */
async function openSocket(server: TestServer): Promise<OpenSocket> {
  const opened = await openRawSocket(server.server.port);
  sockets.push(opened.socket);
  return opened;
}

describe('connections', () => {
  it('a flood of idle sockets past the cap never locks out a client with the token', async () => {
    const sandbox = await start({ maxConnections: 20 });
    const flood: OpenSocket[] = [];
    for (let index = 0; index < 100; index++) flood.push(await openSocket(sandbox));
    const response = await sandbox.request<unknown[]>('GET', '/process');
    expect(response.status).toBe(200);
    expect(sandbox.server.stats().connections).toBeLessThanOrEqual(20);
    await pollUntil(() => flood.filter((entry) => entry.closed()).length >= 80);
  });

  it('answers a request without a Host header with 400 JSON, in both modes', async () => {
    for (const compatibility of ['extended', 'strict'] as const) {
      const sandbox = await start({ compatibility });
      for (const version of ['1.1', '1.0']) {
        const client = await openSocket(sandbox);
        client.socket.write(`GET /health HTTP/${version}\r\nConnection: close\r\n\r\n`);
        await pollUntil(() => client.closed());
        const [head = '', body] = client.received().split('\r\n\r\n');
        expect(head).toMatch(/^HTTP\/1\.1 400 /);
        expect(head).toContain('application/json');
        expect(JSON.parse(body ?? '')).toEqual({ error: 'missing required Host header' });
      }
    }
  });

  it('closes a connection that sends no complete headers within headersTimeoutMs', async () => {
    const sandbox = await start({ headersTimeoutMs: 300 });
    const silent = await openSocket(sandbox);
    const partial = await openSocket(sandbox);
    partial.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await pollUntil(() => silent.closed() && partial.closed());
  });

  it('times out a request body that never completes, even from a client with the token', async () => {
    const sandbox = await start({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const slow = await openSocket(sandbox);
    slow.socket.write(
      [
        'POST /process HTTP/1.1',
        'Host: 127.0.0.1',
        `Authorization: Bearer ${sandbox.server.token}`,
        'Content-Type: application/json',
        'Content-Length: 100',
        '',
        '{"command":',
      ].join('\r\n'),
    );
    await pollUntil(() => slow.closed());
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(sandbox.server.stats().processes).toBe(0);
  });

  it('request timeouts never cut a long answer: a wait for completion and a log stream outlive them', async () => {
    const sandbox = await start({ headersTimeoutMs: 200, requestTimeoutMs: 300, keepAliveTimeoutMs: 200 });
    const started = await sandbox.exec({ command: 'echo one; sleep 1.5; echo two' });
    const stream = fetch(`${sandbox.server.url}/process/${started.json.pid}/logs/stream`, {
      headers: sandbox.authHeaders(),
    }).then((response) => response.text());
    const waited = await sandbox.exec({ command: 'sleep 1.5; echo waited', waitForCompletion: true });
    expect(waited.status).toBe(200);
    expect(waited.json.stdout).toBe('waited\n');
    expect((await stream).replaceAll('[keepalive]\n', '')).toBe('stdout:one\nstdout:two\n');
  });

  it('ends an idle keep-alive connection after keepAliveTimeoutMs', async () => {
    const sandbox = await start({ keepAliveTimeoutMs: 200 });
    const client = await openSocket(sandbox);
    client.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await pollUntil(() => client.received().includes('"status":"ok"'));
    await pollUntil(() => client.closed());
  });

  it('refuses a new connection with 429 JSON when every open connection has a request in flight', async () => {
    const sandbox = await start({ maxConnections: 2 });
    const busy: OpenSocket[] = [];
    for (let index = 0; index < 2; index++) {
      const client = await openSocket(sandbox);
      const body = JSON.stringify({ command: 'sleep 30', waitForCompletion: true });
      client.socket.write(
        [
          'POST /process HTTP/1.1',
          'Host: 127.0.0.1',
          `Authorization: Bearer ${sandbox.server.token}`,
          'Content-Type: application/json',
          `Content-Length: ${Buffer.byteLength(body)}`,
          '',
          body,
        ].join('\r\n'),
      );
      busy.push(client);
    }
    await pollUntil(() => sandbox.server.stats().running === 2);
    const refused = await openSocket(sandbox);
    const sneaky = JSON.stringify({ command: 'echo refused' });
    refused.socket.write(
      `POST /process HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${sandbox.server.token}\r\nContent-Type: application/json\r\nContent-Length: ${sneaky.length}\r\n\r\n${sneaky}`,
    );
    await pollUntil(() => refused.closed());
    expect(sandbox.server.stats().processes).toBe(2);
    expect(refused.received()).toMatch(/^HTTP\/1\.1 429/);
    expect(refused.received()).toContain('{"error":"too many open connections"}');
    expect(busy.every((client) => !client.closed())).toBe(true);
  });
});
