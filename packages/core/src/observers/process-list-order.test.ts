import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../test/helpers/sandbox.js';
import { createClient } from '../index.js';
import { ProcessListObserver } from './process-list-observer.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

function wireProcess(pid: number, status = 'running') {
  return {
    pid: String(pid),
    name: `p${pid}`,
    command: 'sleep 300',
    status,
    startedAt: 'Wed, 02 Dec 2026 04:00:00 GMT',
    completedAt: status === 'running' ? '' : 'Wed, 02 Dec 2026 04:01:00 GMT',
    exitCode: 0,
    workingDir: '/tmp',
    logs: null,
    stdout: '',
    stderr: '',
    restartOnFailure: false,
    maxRestarts: 0,
    restartCount: 0,
    keepAlive: false,
  };
}

/** A server that lists `processes()` rotated by one more place at each answer, as the real sandbox-api's Go map does. */
async function rotatingListServer(processes: () => unknown[]): Promise<string> {
  let answers = 0;
  const server = createServer((_request, response) => {
    const list = processes();
    const shift = answers++ % list.length;
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify([...list.slice(shift), ...list.slice(0, shift)]));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('ProcessListObserver against a server that lists in no particular order', () => {
  it('an unchanged list stays the same array in the same order; a change keeps the other processes', async () => {
    let completed = false;
    const baseUrl = await rotatingListServer(() => [
      wireProcess(1),
      wireProcess(2, completed ? 'completed' : 'running'),
      wireProcess(3),
    ]);
    const observer = new ProcessListObserver(createClient({ baseUrl }).process, { intervalMs: 20 });
    const lists: unknown[][] = [];
    let answers = 0;
    const unsubscribe = observer.subscribe(() => {
      const { data, isFetching } = observer.getSnapshot();
      if (isFetching || data === undefined) return;
      answers++;
      if (lists.at(-1) !== data) lists.push(data);
    });
    try {
      await until(() => answers >= 5);
      expect(lists).toHaveLength(1);
      const first = lists[0] as Array<{ pid: string }>;
      expect(first.map((process) => process.pid)).toEqual(['1', '2', '3']);
      completed = true;
      await until(() => lists.length >= 2);
      const next = lists[1] as Array<{ pid: string; status: string }>;
      expect(next.map((process) => `${process.pid} ${process.status}`)).toEqual([
        '1 running',
        '2 completed',
        '3 running',
      ]);
      expect(next[0]).toBe(first[0]);
      expect(next[2]).toBe(first[2]);
    } finally {
      unsubscribe();
    }
  });
});
