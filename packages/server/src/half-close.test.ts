import { afterEach, describe, expect, it } from 'vitest';
import { openSocket, rawPostProcess } from './testing/raw-socket.js';
import { pollUntil, startTestServer, type TestServer } from './testing/test-server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.server.close();
});

/** An answer read off a raw socket until the server closed it. */
interface RawAnswer {
  status: number;
  head: string;
  body: string;
}

/** A chunked body's data, its chunks joined (the trailer dropped); throws if it is not complete. */
function unchunk(body: string): string {
  let rest = body;
  let data = '';
  for (;;) {
    const sizeEnd = rest.indexOf('\r\n');
    if (sizeEnd < 0) throw new Error(`incomplete chunked body: ${JSON.stringify(body)}`);
    const size = Number.parseInt(rest.slice(0, sizeEnd), 16);
    if (size === 0) return data;
    data += rest.slice(sizeEnd + 2, sizeEnd + 2 + size);
    rest = rest.slice(sizeEnd + 2 + size + 2);
  }
}

/**
 * Sends `request` on a fresh connection, then half-closes it (`socket.end()`, as `nc -N` does),
 * and resolves with what came back once the server closed its side.
 */
async function sendThenHalfClose(sandbox: TestServer, request: string): Promise<RawAnswer> {
  const client = await openSocket(sandbox.server.port);
  try {
    client.socket.end(request);
    await pollUntil(client.closed, { timeoutMs: 60_000, what: 'the server to answer and close' });
  } finally {
    client.socket.destroy();
  }
  const received = client.received();
  const split = received.indexOf('\r\n\r\n');
  const head = split < 0 ? received : received.slice(0, split);
  const rawBody = split < 0 ? '' : received.slice(split + 4);
  const body = /^transfer-encoding: chunked$/im.test(head) ? unchunk(rawBody) : rawBody;
  return { status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0), head, body };
}

function postRequest(sandbox: TestServer, body: unknown): string {
  return rawPostProcess(sandbox.server.token, body);
}

function getRequest(sandbox: TestServer, path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${sandbox.server.token}\r\n\r\n`;
}

describe('a client that half-closes its socket after the request gets the whole answer', () => {
  it.each(['extended', 'strict'] as const)(
    'POST /process, answered at once and after completion (%s)',
    async (compatibility) => {
      const sandbox = await startTestServer({ compatibility });
      servers.push(sandbox);
      const started = await sendThenHalfClose(sandbox, postRequest(sandbox, { command: 'echo started', name: 'half' }));
      expect(started.status).toBe(200);
      expect(JSON.parse(started.body)).toMatchObject({ name: 'half', command: 'echo started' });
      const completed = await sendThenHalfClose(
        sandbox,
        postRequest(sandbox, { command: 'sleep 1; echo finished', waitForCompletion: true, timeout: 60 }),
      );
      expect(completed.status).toBe(200);
      expect(JSON.parse(completed.body)).toMatchObject({ status: 'completed', exitCode: 0 });
      expect(JSON.parse(completed.body).logs).toContain('finished');
    },
  );

  it('GET /health, GET /process/{name}, GET /process/{name}/logs and a log stream', async () => {
    const sandbox = await startTestServer();
    servers.push(sandbox);
    const health = await sendThenHalfClose(sandbox, getRequest(sandbox, '/health'));
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
    await sandbox.exec({ command: 'echo one; sleep 1; echo two', name: 'lines' });
    const stream = await sendThenHalfClose(sandbox, getRequest(sandbox, '/process/lines/logs/stream'));
    expect(stream.status).toBe(200);
    expect(stream.body).toContain('stdout:one\n');
    expect(stream.body).toContain('stdout:two\n');
    const process = await sendThenHalfClose(sandbox, getRequest(sandbox, '/process/lines'));
    expect(process.status).toBe(200);
    expect(JSON.parse(process.body)).toMatchObject({ name: 'lines', status: 'completed' });
    const logs = await sendThenHalfClose(sandbox, getRequest(sandbox, '/process/lines/logs'));
    expect(logs.status).toBe(200);
    expect(JSON.parse(logs.body)).toMatchObject({ stdout: 'one\ntwo\n' });
  });

  it('a refusal is answered too: a bad body and a missing token', async () => {
    const sandbox = await startTestServer();
    servers.push(sandbox);
    const bad = await sendThenHalfClose(sandbox, postRequest(sandbox, { command: 42 }));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toHaveProperty('error');
    const unauthorized = await sendThenHalfClose(sandbox, 'GET /process HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(unauthorized.status).toBe(401);
  });
});
