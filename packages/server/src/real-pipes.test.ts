import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable } from './process/shell-path.js';
import { startTestServer, type TestServer } from './testing/test-server.js';

const bash = findExecutable('bash', process.env.PATH ?? '');
const home = mkdtempSync(join(tmpdir(), 'stdin-pipe-test-home-'));
let sandbox: TestServer;
beforeAll(async () => {
  sandbox = await startTestServer();
});
afterAll(async () => {
  await sandbox.server.close();
  rmSync(home, { recursive: true, force: true });
});

/**
 * Runs `command` with stdin, writes `input`, closes stdin (once its stdout shows `closeAfterOutput`,
 * if given), and answers the finished process.
 */
async function runWithInput(
  command: string,
  input: string,
  env: Record<string, string> = {},
  closeAfterOutput?: string,
) {
  const { json } = await sandbox.exec({ command, stdin: true, env });
  const write = await sandbox.request('POST', `/process/${json.pid}/stdin`, {
    rawBody: input,
    headers: { 'Content-Type': 'application/octet-stream' },
  });
  expect(write.status).toBe(200);
  if (closeAfterOutput !== undefined)
    await sandbox.waitForStatus(json.pid, (process) => process.stdout.includes(closeAfterOutput));
  expect((await sandbox.request('DELETE', `/process/${json.pid}/stdin`)).status).toBe(200);
  return sandbox.waitForStatus(json.pid, (process) => process.status !== 'running');
}

describe('stdout and stderr are pipes, as on the real server', () => {
  it('a command can write to /dev/stdout and /dev/stderr (a socket would answer ENXIO)', async () => {
    const { json } = await sandbox.exec({
      command: 'echo out > /dev/stdout; echo err > /dev/stderr; echo both | tee /dev/stderr',
      waitForCompletion: true,
    });
    expect(json.stdout).toBe('out\nboth\n');
    expect(json.stderr).toBe('err\nboth\n');
    expect(json.status).toBe('completed');
  });

  it('keeps every byte of a large output written through /dev/stdout, up to the end', async () => {
    const { json } = await sandbox.exec({ command: 'seq 1 300000 > /dev/stdout; echo done', waitForCompletion: true });
    expect(json.status).toBe('completed');
    const logs = await sandbox.request<{ stdout: string }>('GET', `/process/${json.pid}/logs`);
    const lines = logs.json.stdout.split('\n');
    expect(lines.length).toBe(300002);
    expect(lines.slice(-3)).toEqual(['300000', 'done', '']);
  });
});

describe('stdin is a pipe, as on the real server', () => {
  it('a command can open /dev/stdin (a socket would answer ENXIO)', async () => {
    // Opening a pipe to read blocks while it has no writer: stdin is closed only once `cat` has it open.
    const finished = await runWithInput('cat /dev/stdin; echo end', 'through /dev/stdin\n', {}, 'through /dev/stdin\n');
    expect(finished.stderr).toBe('');
    expect(finished.stdout).toBe('through /dev/stdin\nend\n');
    expect(finished.status).toBe('completed');
  });

  it.skipIf(bash === undefined)(
    'bash does not take it for a remote shell: the ~/.bashrc of HOME is not run before the command',
    async () => {
      writeFileSync(join(home, '.bashrc'), 'echo "bashrc was run"\n');
      const finished = await runWithInput(`${bash} -c 'read line; echo "got $line"'`, 'input\n', { HOME: home });
      expect(finished.stdout).toBe('got input\n');
      expect(finished.status).toBe('completed');
    },
  );
});
