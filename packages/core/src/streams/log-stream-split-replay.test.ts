/**
 * The real server replays a backlog line by line and, when its log ends in the middle of a line at
 * that moment, ends that partial line with a newline and sends the rest as a line of its own. Its
 * later replays send the line whole: one record fewer than the client counted. Found against the
 * real sandbox-api behind a proxy that drops connections (7 wrong lines in one 20,000-line run of
 * 32 drops); here a server on 127.0.0.1 answers exactly those bodies, so the test does not depend
 * on timing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type LogRecord } from '../index.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/**
 * A replaying server (no `X-Log-Offset`) of process 7 (`web`): the n-th stream connection gets
 * `bodies[n]` (the last one for any later), and the process shows `completed` once the connection
 * at `overFrom` (0-based) was opened.
 */
async function replayingServer(bodies: string[], overFrom: number): Promise<string> {
  let streams = 0;
  const server = http.createServer((request, response) => {
    if (request.url?.startsWith('/process/7/logs/stream')) {
      const body = bodies[Math.min(streams++, bodies.length - 1)]!;
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      return void response.end(body);
    }
    const over = streams > overFrom;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        pid: '7',
        name: 'web',
        command: 'serve',
        status: over ? 'completed' : 'running',
        startedAt: 'Wed, 01 Jan 2025 12:00:00 GMT',
        completedAt: over ? 'Wed, 01 Jan 2025 12:00:05 GMT' : '',
        stdout: null,
      }),
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function read(baseUrl: string): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  const stream = createClient({ baseUrl }).process.streamLogs('7', {
    reconnect: { initialDelayMs: 1 },
    onRecord: (record) => records.push(record),
  });
  await stream.done;
  return records;
}

const prefixed = (...lines: string[]) => lines.map((line) => `stdout:${line}\n`).join('');

describe('a replaying server that split a line at the end of a backlog', () => {
  it('a later replay sends the line whole: the records after it are neither lost nor repeated', async () => {
    const url = await replayingServer(
      [
        // Backlog "line 1", "line 2", "li" (its log ended there), then live: the rest, "line 4".
        prefixed('line 1', 'line 2', 'li', 'ne 3', 'line 4'),
        prefixed('line 1', 'line 2', 'line 3', 'line 4', 'line 5'),
      ],
      1,
    );
    const records = await read(url);
    expect(records.map((record) => record.text)).toEqual(['line 1', 'line 2', 'li', 'ne 3', 'line 4', 'line 5']);
    expect(records.map((record) => record.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('a connection that ended right after the partial line: the next replay delivers the rest of it', async () => {
    const url = await replayingServer(
      [prefixed('line 1', 'li'), prefixed('line 1', 'line 2', 'line 3'), prefixed('line 1', 'line 2', 'line 3')],
      1,
    );
    const records = await read(url);
    expect(records.map((record) => record.text)).toEqual(['line 1', 'li', 'ne 2', 'line 3']);
    expect(records.map((record) => record.index)).toEqual([0, 1, 2, 3]);
  });

  it('a split long before the cursor (beyond the texts kept) is found where the replay is ahead', async () => {
    const numbered = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, index) => `n ${from + index}`);
    const url = await replayingServer(
      [
        // "n 3" split at the end of the first backlog, then 100 lines live.
        prefixed(...numbered(1, 2), 'n', ' 3', ...numbered(4, 103)),
        prefixed(...numbered(1, 110)),
      ],
      1,
    );
    const records = await read(url);
    const texts = records.map((record) => record.text);
    expect(texts).toEqual([...numbered(1, 2), 'n', ' 3', ...numbered(4, 110)]);
    expect(records.every((record, index) => record.index === index)).toBe(true);
  });

  it('repeated identical lines stay exact across such replays', async () => {
    const ticks = (count: number) => Array.from({ length: count }, () => 'tick');
    const url = await replayingServer([prefixed(...ticks(5), 'ti', 'ck', ...ticks(3)), prefixed(...ticks(12))], 1);
    const texts = (await read(url)).map((record) => record.text);
    // The replay's 12: five, the one split, and six more (three the first connection delivered live).
    expect(texts).toEqual([...ticks(5), 'ti', 'ck', ...ticks(6)]);
  });
});
