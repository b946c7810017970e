import { readdirSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { openSocket, rawPostProcess } from './testing/raw-socket.js';
import { pollUntil, startTestServer, type TestServer } from './testing/test-server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.server.close();
});

/** A sleep only this test file starts (its argument is unique to this test process). */
const SLEEP_SECONDS = `600.${process.pid}`;

/** Live processes of that sleep, read from /proc (no request, so no connection to count). */
function sleepers(): number {
  let count = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8') === `sleep\u0000${SLEEP_SECONDS}\u0000`) count++;
    } catch {
      /* gone */
    }
  }
  return count;
}

/** GET `path` on a connection of its own, closed after the answer; resolves with the status. */
function getStatusOnce(sandbox: TestServer, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = get(`http://127.0.0.1:${sandbox.server.port}${path}`, { agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
  });
}

function waitingPost(sandbox: TestServer): string {
  return rawPostProcess(sandbox.server.token, {
    command: `sleep ${SLEEP_SECONDS}`,
    waitForCompletion: true,
    timeout: 3600,
  });
}

describe('the connection cap and clients that closed their socket while their answer was pending', () => {
  it('a client that gave up on a waitForCompletion does not hold a connection until the command ends', async () => {
    const sandbox = await startTestServer({ maxConnections: 2 });
    servers.push(sandbox);
    for (let started = 1; started <= 2; started++) {
      const client = await openSocket(sandbox.server.port);
      client.socket.write(waitingPost(sandbox));
      // The command runs: the request is in flight, its answer an hour away.
      await pollUntil(() => sleepers() === started, { timeoutMs: 30_000, what: 'the command to start' });
      // The client gives up (its own timeout, an AbortSignal, Ctrl-C) and closes its socket.
      client.socket.destroy();
    }
    // Both connections are busy on the server's side, but their clients are gone: a new client is
    // served, not answered 429 until the commands end.
    let status = 0;
    await pollUntil(
      async () => {
        status = await getStatusOnce(sandbox, '/health');
        return status === 200;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'a new client to be served' },
    ).catch(() => undefined);
    expect(status).toBe(200);
  }, 60_000);
});
