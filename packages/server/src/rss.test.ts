import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPausedStream, SequenceCheck } from './testing/stream-reader.js';
import { pollUntil } from './testing/test-server.js';

/** The RSS bound the README states for the server process, in MiB. */
const RSS_BOUND_MIB = 150;
const BUILT_CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const TOKEN = 'rss-test-token';
let child: ChildProcessWithoutNullStreams;
let url = '';
const headers = { Authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  if (!existsSync(BUILT_CLI))
    throw new Error(`${BUILT_CLI} is missing: build the package first (pnpm --filter @sandproc/server build)`);
  child = spawn(process.execPath, [BUILT_CLI, '--port', '0'], { env: { ...process.env, SANDPROC_TOKEN: TOKEN } });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr.resume();
  await pollUntil(() => /listening on (http:\/\/\S+)/.test(output), 30_000);
  url = /listening on (http:\/\/\S+)/.exec(output)?.[1] ?? '';
});
afterAll(() => {
  child.kill('SIGTERM');
});

/** The server's resident set size, from /proc, in MiB. */
function rssMiB(): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return kib / 1024;
}

async function exec(command: string): Promise<string> {
  const response = await fetch(`${url}/process`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ command }),
  });
  return ((await response.json()) as { pid: string }).pid;
}

async function statusOf(pid: string): Promise<string> {
  return ((await (await fetch(`${url}/process/${pid}`, { headers })).json()) as { status: string }).status;
}

describe.runIf(process.platform === 'linux')('server memory stays flat', () => {
  it(`RSS stays under ${RSS_BOUND_MIB} MiB across repeated floods with stalled, live and list readers`, async () => {
    let peak = rssMiB();
    const sample = (): void => {
      peak = Math.max(peak, rssMiB());
    };
    const sampler = setInterval(sample, 20);
    try {
      for (let round = 0; round < 4; round++) {
        const lines = 4_000_000;
        const pid = await exec(`seq 1 ${lines}; head -c 20000000 /dev/zero | tr '\\0' z >&2`);
        const stalled = await openPausedStream(`${url}/process/${pid}/logs/stream`, headers);
        const live = await openPausedStream(`${url}/process/${pid}/logs/stream`, headers);
        const check = new SequenceCheck(1);
        const liveDone = live.readLines(check.onLine);
        await pollUntil(
          async () => {
            await fetch(`${url}/process`, { headers }).then((response) => response.arrayBuffer());
            sample();
            return (await statusOf(pid)) !== 'running';
          },
          120_000,
          100,
        );
        await liveDone;
        expect(check.problem).toBeUndefined();
        expect(check.next).toBe(lines + 1);
        expect(check.stderrLines).toBeGreaterThanOrEqual(305); // 20 MB in lines of at most 64 KiB
        const stalledCheck = new SequenceCheck(1);
        await stalled.readLines(stalledCheck.onLine);
        expect(stalledCheck.next).toBe(lines + 1);
        await fetch(`${url}/process/${pid}/logs`, { headers }).then((response) => response.arrayBuffer());
        sample();
      }
    } finally {
      clearInterval(sampler);
    }
    sample();
    console.log(`server RSS peak ${peak.toFixed(1)} MiB`);
    expect(peak).toBeLessThan(RSS_BOUND_MIB);
  }, 300_000);

  it('40 clients that do not read a list of 1,000 processes cost the server little memory (the list is built at their pace)', async () => {
    const processes = 1000;
    // Each process fills its inline fields in a list (2 KiB of stdout, of stderr and of both): about 6.5 MB a list.
    for (let started = 0; started < processes; started += 25) {
      await Promise.all(
        Array.from({ length: 25 }, () =>
          fetch(`${url}/process`, {
            method: 'POST',
            headers: { ...headers, 'Content-Type': 'application/json' },
            body: JSON.stringify({ command: 'seq 100000 100500; seq 100000 100500 >&2', waitForCompletion: true }),
          }).then((response) => response.arrayBuffer()),
        ),
      );
    }
    const readers = [];
    const before = rssMiB();
    let peak = before;
    for (let index = 0; index < 40; index++) {
      readers.push(await openPausedStream(`${url}/process`, headers));
      peak = Math.max(peak, rssMiB());
    }
    const reference = (await (await fetch(`${url}/process`, { headers })).json()) as Array<{ pid: string }>;
    expect(reference.length).toBeGreaterThanOrEqual(processes);
    for (const reader of readers) {
      let text = '';
      await reader.readLines((line) => {
        text += line;
      });
      const list = JSON.parse(text) as Array<{ pid: string; stdout: string }>;
      expect(list.map((entry) => entry.pid)).toEqual(reference.map((entry) => entry.pid));
      expect(list.at(-1)?.stdout.endsWith('100500\n')).toBe(true);
      peak = Math.max(peak, rssMiB());
    }
    console.log(`server RSS ${before.toFixed(1)} MiB before 40 stalled list readers, peak ${peak.toFixed(1)} MiB`);
    // The whole list (about 7 MB) held for each of them would be 280 MB; one batch each is about 3 MB.
    expect(peak - before).toBeLessThan(48);
  }, 300_000);
});
