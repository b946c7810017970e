// The local server under floods of output: intake throughput against piping the same command into
// a Node reader (the server CLI in its own process, as users run it, and labelled apart the server
// in this process, on the reader's thread), lines lost by a slow reader (must be 0), the server's RSS
// peak, and the cost of polling GET /process with and without ETag. Ratios against a baseline
// measured in the same run; the intake readers count and check every line.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { alternate, median, report } from './harness.mjs';

const INTAKE_LINES = 13_000_000; // `seq` prints about 106 MB
const INTAKE_COMMAND = `seq 1 ${INTAKE_LINES}`;
const INTAKE_ROUNDS = 5;
const SLOW_LINES = 6_000_000; // about 47 MB
const LIST_PROCESSES = 1000;
const LIST_ROUNDS = 15;

/** Four newline bytes, one per byte of a 32-bit word. */
const NEWLINES = 0x0a0a0a0a;

/**
 * Counts the newlines of a stream of chunks, as a cheap Node reader would (four bytes at a time),
 * and remembers the last line, so that both sides of the intake bench do the same work per byte.
 */
class LineCounter {
  lines = 0;
  bytes = 0;
  #tail = Buffer.alloc(0);

  add(chunk) {
    this.bytes += chunk.length;
    // The bytes before the first 4-byte boundary one by one (a chunk of an HTTP body starts anywhere
    // in the socket's read buffer; a pipe read starts at a boundary), so neither side copies its chunks.
    const head = Math.min(chunk.length, (4 - (chunk.byteOffset & 3)) & 3);
    let count = 0;
    for (let position = 0; position < head; position++) if (chunk[position] === 0x0a) count++;
    const words = (chunk.length - head) >>> 2;
    const view = new Uint32Array(chunk.buffer, chunk.byteOffset + head, words);
    for (let index = 0; index < words; index++) {
      const word = view[index] ^ NEWLINES;
      const zero = ~(((word & 0x7f7f7f7f) + 0x7f7f7f7f) | word | 0x7f7f7f7f) & 0x80808080;
      if (zero !== 0) count += Math.imul(zero >>> 7, 0x01010101) >>> 24;
    }
    for (let position = head + words * 4; position < chunk.length; position++) if (chunk[position] === 0x0a) count++;
    this.lines += count;
    this.#tail = Buffer.concat([this.#tail, chunk.subarray(Math.max(0, chunk.length - 64))]).subarray(-64);
  }

  /** The last complete line (without its newline). */
  get lastLine() {
    const text = this.#tail.toString('latin1').replace(/\n$/, '');
    return text.slice(text.lastIndexOf('\n') + 1);
  }
}

/** Checks that a reader got `expectedLines` lines ending with `lastLine`; returns its line count. */
function checkLines(counter, side, expectedLines, lastLine) {
  if (counter.lines !== expectedLines || counter.lastLine !== lastLine) {
    throw new Error(
      `${side} read ${counter.lines} lines ending with ${JSON.stringify(counter.lastLine)}, expected ${expectedLines} ending with ${JSON.stringify(lastLine)}`,
    );
  }
  return counter.lines;
}

/** `command`'s stdout piped straight into this Node process (`command | node reader`), lines counted. */
function pipeIntoNode(command, expectedLines, lastLine) {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'pipe', 'inherit'] });
    const counter = new LineCounter();
    child.stdout.on('data', (chunk) => counter.add(chunk));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(checkLines(counter, 'pipe reader', expectedLines, lastLine));
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** `POST /process` with `body` to a server started here; resolves with the process it answered. */
export async function exec(server, body) {
  const response = await fetch(`${server.url}/process`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`exec answered ${response.status}: ${await response.text()}`);
  return response.json();
}

/**
 * Reads a log stream's whole body with a raw reader, lines counted, and checks them (every line is
 * `stdout:<line>`; the stream carries no other line in this short a run).
 */
async function readWholeStream(response, side) {
  const counter = new LineCounter();
  for await (const chunk of response.body) counter.add(chunk);
  return checkLines(counter, side, INTAKE_LINES, `stdout:${INTAKE_LINES}`);
}

/** Starts the intake command and reads its whole log stream with a raw fetch reader. */
async function throughServer(server) {
  const { pid } = await exec(server, { command: INTAKE_COMMAND });
  const response = await fetch(`${server.url}/process/${pid}/logs/stream`, {
    headers: { Authorization: `Bearer ${server.token}` },
  });
  return readWholeStream(response, 'stream reader');
}

/** Reads a log stream, pausing the socket for `pauseMs` after every 8th chunk (a slow reader); counts stdout lines. */
function slowRead(server, pid, pauseMs) {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${server.url}/process/${pid}/logs/stream`,
      { headers: { Authorization: `Bearer ${server.token}` } },
      (response) => {
        let lines = 0;
        let next = 1;
        let outOfOrder = 0;
        let rest = '';
        let chunks = 0;
        response.setEncoding('latin1');
        response.on('data', (chunk) => {
          const text = rest + chunk;
          const parts = text.split('\n');
          rest = parts.pop();
          for (const line of parts) {
            if (!line.startsWith('stdout:')) continue;
            if (line !== `stdout:${next}`) outOfOrder++;
            next = Number(line.slice(7)) + 1;
            lines++;
          }
          if (++chunks % 8 === 0) {
            response.pause();
            setTimeout(() => response.resume(), pauseMs);
          }
        });
        response.on('end', () => resolve({ lines, outOfOrder }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** The server CLI in its own process (so that its RSS is its own), with a fixed token and `flags`. */
export async function startServerProcess(
  cli = fileURLToPath(new URL('../packages/server/dist/cli.js', import.meta.url)),
  flags = [],
) {
  const token = 'bench-token';
  const child = spawn(process.execPath, [cli, '--port', '0', ...flags], {
    env: { ...process.env, SANDPROC_TOKEN: token },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { url: await listeningUrl(child), token, pid: child.pid, child, stop: () => child.kill('SIGTERM') };
}

/** The URL a server child process prints (`listening on URL`) once it listens. */
async function listeningUrl(child) {
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    output += chunk;
  });
  while (!/listening on \S+/.test(output)) {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return /listening on (\S+)/.exec(output)[1];
}

function rssMiB(pid) {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}

async function measureRss() {
  if (process.platform !== 'linux') return console.log('server RSS peak: skipped (needs /proc)');
  const server = await startServerProcess();
  try {
    const idle = rssMiB(server.pid);
    let peak = idle;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMiB(server.pid));
    }, 10);
    for (let round = 0; round < 4; round++) {
      const { pid } = await exec(server, { command: `seq 1 4000000; head -c 20000000 /dev/zero | tr '\\0' z >&2` });
      const [live, slow] = await Promise.all([slowRead(server, pid, 0), slowRead(server, pid, 5)]);
      if (live.lines !== 4_000_000 || slow.lines !== 4_000_000)
        throw new Error(`readers saw ${live.lines} and ${slow.lines} lines`);
      await (
        await fetch(`${server.url}/process/${pid}/logs`, { headers: { Authorization: `Bearer ${server.token}` } })
      ).arrayBuffer();
    }
    clearInterval(sampler);
    console.log(
      `server RSS peak (4 floods of 49 MB, 2 stream readers each, /logs): ${peak.toFixed(1)} MiB (idle ${idle.toFixed(1)} MiB)`,
    );
  } finally {
    server.stop();
  }
}

/** CPU milliseconds from `/proc/<pid>/stat`: the process's own, user and system, and its reaped children's. */
function processCpu(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ms = (index) => Number(fields[index]) * 10; // clock ticks of 10 ms (USER_HZ 100 on Linux)
  return { user: ms(11), system: ms(12), children: ms(13) + ms(14) };
}

/** Runs `run` and records the CPU it made `pid` (and its reaped children) spend in `into`. */
async function withCpuOf(pid, into, run) {
  const before = processCpu(pid);
  const result = await run();
  const after = processCpu(pid);
  for (const key of ['user', 'system', 'children']) into[key].push(after[key] - before[key]);
  return result;
}

/**
 * `readThroughServer` (the intake through a server whose process is `serverPid`, or undefined for a
 * server in this process) against `command | node reader` counting the same, in interleaved
 * rounds; with `serverPid` (and /proc), the CPU of each run too. Returns the samples, and a
 * function that prints where the CPU went (nothing without that accounting).
 */
async function againstPipe(serverPid, readThroughServer) {
  const accounting = serverPid !== undefined && process.platform === 'linux';
  const pipeCpu = { user: [], system: [], children: [] };
  const serverCpu = { user: [], system: [], children: [] };
  const pipe = () => pipeIntoNode(INTAKE_COMMAND, INTAKE_LINES, String(INTAKE_LINES));
  const samples = await alternate({
    rounds: INTAKE_ROUNDS,
    baseline: () => (accounting ? withCpuOf(process.pid, pipeCpu, pipe) : pipe()),
    subject: () => (accounting ? withCpuOf(serverPid, serverCpu, readThroughServer) : readThroughServer()),
  });
  return { samples, reportCpu: () => accounting && reportIntakeCpu(samples, pipeCpu, serverCpu) };
}

/**
 * Intake as users run it: the server CLI in its own process (on two cores it runs beside the
 * reader), a raw fetch reader counting lines here, against `command | node reader` counting the same.
 * With `server.pid` (and /proc), also where the CPU goes in each run: the command, the server and
 * the reader, against the command and the reader of the pipe.
 */
export async function measureIntake(label, server) {
  const { samples, reportCpu } = await againstPipe(server.pid, () => throughServer(server));
  const megabytesPerSecond = (ms) => `${Math.round(106 / (ms / 1000))} MB/s of output`;
  report(
    `intake, ${INTAKE_LINES.toLocaleString('en-US')} short lines (~106 MB), ${label}: raw stream reader vs pipe into Node`,
    samples,
    { perUnit: megabytesPerSecond },
  );
  console.log(
    `  ${label}: server ${median(samples.subject).toFixed(0)} ms (range ${Math.min(...samples.subject).toFixed(0)}–${Math.max(...samples.subject).toFixed(0)}), pipe ${median(samples.baseline).toFixed(0)} ms (range ${Math.min(...samples.baseline).toFixed(0)}–${Math.max(...samples.baseline).toFixed(0)}), ${INTAKE_LINES.toLocaleString('en-US')} lines checked each round`,
  );
  reportCpu();
  return samples;
}

/**
 * Where the CPU of an intake run goes (medians of the measured rounds; the first run of each side
 * is the warmup), and the least wall time that CPU allows on this machine's cores.
 */
function reportIntakeCpu(samples, pipeCpu, serverCpu) {
  const measured = (values) => median(values.slice(-INTAKE_ROUNDS));
  const pipeCommand = measured(pipeCpu.children);
  const pipeReader = median(samples.cpu.baseline);
  const command = measured(serverCpu.children);
  const user = measured(serverCpu.user);
  const system = measured(serverCpu.system);
  const ownCpu = measured(serverCpu.user.map((value, index) => value + serverCpu.system[index]));
  const reader = median(samples.cpu.subject);
  const cores = availableParallelism();
  const leastWall = (command + ownCpu + reader) / cores;
  console.log(
    `  CPU per run (medians): pipe: command ${pipeCommand.toFixed(0)} ms + reader ${pipeReader.toFixed(0)} ms; ` +
      `server: command ${command.toFixed(0)} ms + server ${ownCpu.toFixed(0)} ms (user ${user.toFixed(0)}, system ${system.toFixed(0)}) + reader ${reader.toFixed(0)} ms; ` +
      `shared by ${cores} cores, the server path needs at least ${leastWall.toFixed(0)} ms, ` +
      `${(leastWall / median(samples.baseline)).toFixed(2)}x the pipe's median time`,
  );
}

/**
 * An intake reference: `script` (a server that streams `seq 1 N` as `stdout:` lines at `GET /`, run
 * by `node` with `nodeArguments`) read by the same raw reader, against the same pipe baseline.
 */
async function measureReferenceServer(title, script, nodeArguments = []) {
  const child = spawn(
    process.execPath,
    [...nodeArguments, fileURLToPath(new URL(script, import.meta.url)), String(INTAKE_LINES)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const url = await listeningUrl(child);
    const { samples, reportCpu } = await againstPipe(child.pid, async () =>
      readWholeStream(await fetch(url), 'reference reader'),
    );
    report(title, samples);
    reportCpu();
  } finally {
    child.kill('SIGTERM');
  }
}

/**
 * The two references of the intake: its floor, the same stream sent from memory by a server that
 * does nothing else (what the wire format costs the reader: a `stdout:` per line, about 1.8x the
 * bytes of `seq`'s output), and a minimal server that does only the work the intake needs (pipe ->
 * file on disk -> prefix -> socket; bench/minimal-intake-server.ts), which shows what that work
 * alone costs on this machine.
 */
async function measureIntakeReferences() {
  await measureReferenceServer(
    'intake floor: the same stream from memory, no command, no disk',
    './stream-floor-server.mjs',
  );
  await measureReferenceServer(
    'intake reference: a minimal server (pipe, disk, prefix, socket; nothing else)',
    './minimal-intake-server.ts',
    ['--import', 'tsx'],
  );
}

/** The intake as users run it: the server CLI in its own process (what `BENCH_ONLY=intake` runs alone), and its references. */
export async function runIntake() {
  const cliServer = await startServerProcess();
  try {
    await measureIntake('server CLI in its own process', cliServer);
  } finally {
    cliServer.stop();
  }
  await measureIntakeReferences();
}

export async function run({ server }) {
  await runIntake();
  await measureIntake('server in the bench process (same thread as the reader)', server);

  const { pid } = await exec(server, { command: `seq 1 ${SLOW_LINES}` });
  const slow = await slowRead(server, pid, 5);
  console.log(
    `slow reader (pauses 5 ms every 8 chunks), ${SLOW_LINES.toLocaleString('en-US')} lines: lost ${SLOW_LINES - slow.lines}, out of order ${slow.outOfOrder}`,
  );

  await measureRss();

  const headers = { Authorization: `Bearer ${server.token}` };
  const started = [];
  for (let index = 0; index < LIST_PROCESSES; index += 50) {
    const batch = [];
    for (let offset = 0; offset < 50; offset++) {
      batch.push(
        exec(server, { command: `head -c 65536 /dev/zero | tr '\\0' x | fold -w 100`, waitForCompletion: true }),
      );
    }
    started.push(...(await Promise.all(batch)));
  }
  const full = await fetch(`${server.url}/process`, { headers });
  const tag = full.headers.get('etag');
  const fullBytes = (await full.arrayBuffer()).byteLength;
  const listSamples = await alternate({
    rounds: LIST_ROUNDS,
    baseline: async () => (await fetch(`${server.url}/process`, { headers })).arrayBuffer(),
    subject: async () => {
      const response = await fetch(`${server.url}/process`, { headers: { ...headers, 'If-None-Match': tag } });
      if (response.status !== 304) throw new Error(`expected 304, got ${response.status}`);
      return response.arrayBuffer();
    },
  });
  report(
    `GET /process of ${started.length} processes x 64 KiB: poll with ETag (304) vs full list (${(fullBytes / 1e6).toFixed(2)} MB)`,
    listSamples,
  );
  const one = started.at(-1).pid;
  const oneTag = (await fetch(`${server.url}/process/${one}`, { headers })).headers.get('etag');
  const oneSamples = await alternate({
    rounds: LIST_ROUNDS,
    baseline: async () => (await fetch(`${server.url}/process/${one}`, { headers })).arrayBuffer(),
    subject: async () =>
      (await fetch(`${server.url}/process/${one}`, { headers: { ...headers, 'If-None-Match': oneTag } })).arrayBuffer(),
  });
  report('GET /process/{id} with 64 KiB output: poll with ETag (304) vs full answer', oneSamples);
}
