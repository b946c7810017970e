import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliProcess, startCliProcess } from './testing/cli-process.js';
import { pollUntil } from './testing/test-server.js';

const TOKEN = 'shutdown-streams-token';
/** Lines of the flood: about 21 MB on the wire, far more than the kernel's socket buffers hold. */
const FLOOD_LINES = 1_500_000;

const clis: CliProcess[] = [];
const readers: ChildProcess[] = [];
afterEach(async () => {
  for (const reader of readers.splice(0)) reader.kill('SIGKILL');
  for (const cli of clis.splice(0)) {
    cli.signal('SIGKILL');
    await cli.exited;
  }
});

/**
 * A raw reader of one log stream, in its own process: its receive buffer is fixed small
 * (SO_RCVBUF, which also stops the kernel from growing it), it reads the answer's first bytes,
 * then nothing until it gets a line on stdin; then it reads to the end and prints all it received.
 */
const SLOW_READER = [
  'import socket, sys',
  'port, path, token = int(sys.argv[1]), sys.argv[2], sys.argv[3]',
  'connection = socket.socket()',
  'connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)',
  "connection.connect(('127.0.0.1', port))",
  "connection.sendall(f'GET {path} HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nAuthorization: Bearer {token}\\r\\n\\r\\n'.encode())",
  'received = [connection.recv(4096)]',
  "sys.stderr.write('started\\n')",
  'sys.stderr.flush()',
  'sys.stdin.readline()',
  'while True:',
  '    try:',
  '        chunk = connection.recv(1 << 20)',
  '    except ConnectionResetError:',
  '        break',
  '    if not chunk:',
  '        break',
  '    received.append(chunk)',
  "sys.stdout.buffer.write(b''.join(received))",
].join('\n');

/** A reader of one log stream (see {@link SLOW_READER}). */
interface RawReader {
  /** Reads at full speed from now on. */
  read(): void;
  /** Resolves with all it received (headers and chunked framing included) once the server closed the stream. */
  finished: Promise<string>;
}

async function openStream(url: string, pid: number, paused: boolean): Promise<RawReader> {
  const { port } = new URL(url);
  const reader = spawn('python3', ['-c', SLOW_READER, port, `/process/${pid}/logs/stream`, TOKEN]);
  readers.push(reader);
  let stdout = '';
  let stderr = '';
  reader.stdout.setEncoding('latin1').on('data', (chunk: string) => {
    stdout += chunk;
  });
  reader.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const finished = new Promise<string>((resolve) => reader.once('close', () => resolve(stdout)));
  await pollUntil(() => stderr.includes('started'), { what: `the stream to start (${stderr})` });
  const read = (): void => void reader.stdin.end('read\n');
  if (!paused) read();
  return { read, finished };
}

/** The body of a chunked answer and whether its last chunk (`0\r\n\r\n`) arrived: a clean end. */
function readChunked(raw: string): { body: string; cleanEnd: boolean } {
  let rest = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  let body = '';
  for (;;) {
    const sizeEnd = rest.indexOf('\r\n');
    if (sizeEnd < 0) return { body, cleanEnd: false };
    const size = Number.parseInt(rest.slice(0, sizeEnd), 16);
    if (size === 0) return { body, cleanEnd: rest.slice(sizeEnd) === '\r\n\r\n' };
    if (rest.length < sizeEnd + 2 + size + 2) return { body: body + rest.slice(sizeEnd + 2), cleanEnd: false };
    body += rest.slice(sizeEnd + 2, sizeEnd + 2 + size);
    rest = rest.slice(sizeEnd + 2 + size + 2);
  }
}

/** Starts the CLI, then a flood of `FLOOD_LINES` lines and a slow ticker; resolves once the flood ended. */
async function startWithFlood(): Promise<{ cli: CliProcess; url: string; flood: number; ticker: number }> {
  const cli = startCliProcess(['--port', '0'], { ...process.env, SANDPROC_TOKEN: TOKEN });
  clis.push(cli);
  const url = await cli.listening();
  const { json: flood } = await cli.request<{ pid: number }>(TOKEN, 'POST', '/process', {
    command: `seq 1 ${FLOOD_LINES}`,
  });
  const { json: ticker } = await cli.request<{ pid: number }>(TOKEN, 'POST', '/process', {
    command: 'while :; do echo tick; sleep 0.2; done',
  });
  await pollUntil(
    async () =>
      (await cli.request<{ status: string }>(TOKEN, 'GET', `/process/${flood.pid}`)).json.status !== 'running',
    { timeoutMs: 120_000, what: 'the flood to end' },
  );
  return { cli, url, flood: flood.pid, ticker: ticker.pid };
}

/** Checks that `body` holds the flood's lines, each once and in order (keepalives aside). */
function expectEveryLine(body: string): void {
  const lines = body.split('\n').filter((line) => line !== '' && line !== '[keepalive]');
  expect(lines.length).toBe(FLOOD_LINES);
  const wrong = lines.findIndex((line, index) => line !== `stdout:${index + 1}`);
  expect(wrong, `line ${wrong + 1}: ${lines[wrong]}`).toBe(-1);
}

describe('log streams at shutdown', () => {
  it('SIGTERM: a reader behind a flood gets every line and a clean end; a caught-up one ends cleanly; the CLI exits 0', async () => {
    const { cli, url, flood, ticker } = await startWithFlood();
    const behind = await openStream(url, flood, true);
    const caughtUp = await openStream(url, ticker, false);
    cli.signal('SIGTERM');
    behind.read();
    const slow = readChunked(await behind.finished);
    expect(slow.cleanEnd).toBe(true);
    expectEveryLine(slow.body);
    const ticks = readChunked(await caughtUp.finished);
    expect(ticks.cleanEnd).toBe(true);
    expect(ticks.body).toContain('stdout:tick\n');
    expect(await cli.exited).toBe(0);
  }, 180_000);

  it('SIGTERM: a reader that reads nothing is cut once the drain bound passed, and the CLI still exits 0', async () => {
    const { cli, url, flood } = await startWithFlood();
    const stalled = await openStream(url, flood, true);
    cli.signal('SIGTERM');
    expect(await cli.exited).toBe(0);
    stalled.read();
    const cut = readChunked(await stalled.finished);
    expect(cut.cleanEnd).toBe(false);
    expect(cut.body).toContain('stdout:1\n');
  }, 180_000);
});
