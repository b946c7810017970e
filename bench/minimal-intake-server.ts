// A reference for the intake bench: the least a server must do to stream a command's output as our
// server does, and nothing else. `GET /` runs `seq 1 N` (N from argv) with its stdout on a pipe; each
// pipe read is written to a file on disk (one positional write, no index, no segments, no caps),
// its whole lines get a `stdout:` prefix (the server's own WebAssembly prefixer) and go out as one
// HTTP chunk. The child is never paused: a slow socket queues in memory (no bound; this is a
// reference, not a server). The same raw reader reads it against the same pipe baseline, so its
// ratio shows what that work alone costs on this machine. Run with `node --import tsx`.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countNewlines } from '../packages/server/src/process/count-lines.ts';
import { prefixEveryLine } from '../packages/server/src/http/line-prefixer.ts';

const lines = Number(process.argv[2]);
const PREFIX = Buffer.from('stdout:');
const directory = mkdtempSync(join(tmpdir(), 'sandproc-minimal-intake-'));
let runs = 0;

const server = createServer((_request, response) => {
  response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  const file = openSync(join(directory, `run-${runs++}.log`), 'w');
  let position = 0;
  let partial: Buffer | undefined;
  const child = spawn('seq', ['1', String(lines)], { stdio: ['ignore', 'pipe', 'ignore'] });
  child.stdout.on('data', (chunk: Buffer) => {
    for (let written = 0; written < chunk.length; ) {
      written += writeSync(file, chunk, written, chunk.length - written, position + written);
    }
    position += chunk.length;
    const data = partial === undefined ? chunk : Buffer.concat([partial, chunk]);
    const lastNewline = data.lastIndexOf(0x0a);
    partial = lastNewline + 1 < data.length ? Buffer.from(data.subarray(lastNewline + 1)) : undefined;
    if (lastNewline < 0) return;
    const whole = data.subarray(0, lastNewline + 1);
    response.write(prefixEveryLine(whole, PREFIX, countNewlines(whole)));
  });
  // Ends once the child is reaped too (`close`), as our server does, so that its CPU is counted.
  child.on('close', () => {
    closeSync(file);
    response.end();
  });
});

process.on('SIGTERM', () => {
  rmSync(directory, { recursive: true, force: true });
  process.exit(0);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address !== null && typeof address === 'object') console.log(`listening on http://127.0.0.1:${address.port}`);
});
