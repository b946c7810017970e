import { afterEach, describe, expect, it } from 'vitest';
import { openSocket } from './testing/raw-socket.js';
import { pollUntil, startTestServer, type TestServer } from './testing/test-server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.server.close();
});

describe('a log stream whose client closed its socket', () => {
  it('frees its slot of maxStreams within seconds, not at the second keepalive', async () => {
    // Keepalives far apart: the slot must not wait for them.
    const sandbox = await startTestServer({ maxStreams: 1, keepaliveIntervalMs: 600_000 });
    servers.push(sandbox);
    await sandbox.exec({ command: 'sleep 600', name: 'quiet' });
    const request = `GET /process/quiet/logs/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${sandbox.server.token}\r\n\r\n`;
    const client = await openSocket(sandbox.server.port);
    client.socket.write(request);
    await pollUntil(() => client.received().startsWith('HTTP/1.1 200'), { timeoutMs: 30_000, what: 'the stream' });
    // The page is closed: the socket is closed for good (to the server, a FIN like a half-close).
    client.socket.destroy();
    let status = 0;
    await pollUntil(
      async () => {
        const abort = new AbortController();
        const answer = await fetch(`${sandbox.server.url}/process/quiet/logs/stream`, {
          headers: sandbox.authHeaders(),
          signal: abort.signal,
        });
        status = answer.status;
        abort.abort();
        return status === 200;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'a new stream to be served' },
    ).catch(() => undefined);
    expect(status).toBe(200);
  }, 60_000);
});
