import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { findExecutable, findOnServerPath, resolveShell } from './process/shell-path.js';
import { startCliProcess, type CliProcess } from './testing/cli-process.js';
import { startTestServer } from './testing/test-server.js';

const UNIQUE_NAME = 'SANDPROC_UNIQUE_SERVER_VARIABLE';
const UNIQUE_VALUE = `unique-value-${process.pid}-${Date.now()}`;
const TOKEN = `leak-test-token-${process.pid}-${Date.now()}`;
/** What a curious command would try: its environment and every environ and cmdline it can read. */
const SNOOP = 'env; cat /proc/*/environ /proc/*/cmdline 2>/dev/null | tr "\\0" "\\n"; echo snoop-done';
const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const started: CliProcess[] = [];

afterEach(() => {
  for (const cli of started.splice(0)) {
    cli.signal('SIGKILL');
  }
});

async function snoopThrough(cli: CliProcess, token: string): Promise<{ output: string; containment: string }> {
  started.push(cli);
  await cli.listening();
  expect(cli.output()).not.toContain(TOKEN);
  const { status, json } = await cli.request<{ stdout: string; status: string }>(token, 'POST', '/process', {
    command: SNOOP,
    waitForCompletion: true,
  });
  expect(status).toBe(200);
  expect(json.stdout).toContain('snoop-done');
  // `env` prints PATH once; the rest come from the /proc environ files the command could read.
  expect(json.stdout.match(/^PATH=/gm)?.length ?? 0).toBeGreaterThan(1);
  const health = await cli.request<{ containment: string }>(token, 'GET', '/health');
  return { output: json.stdout, containment: health.json.containment };
}

describe('a clean environment for children', () => {
  it("children of a server given SANDPROC_TOKEN see neither the token nor the server's other variables", async () => {
    const cli = startCliProcess(['--port', '0'], {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      [UNIQUE_NAME]: UNIQUE_VALUE,
      SANDPROC_TOKEN: TOKEN,
    });
    const { output, containment } = await snoopThrough(cli, TOKEN);
    expect(output).not.toContain(UNIQUE_VALUE);
    if (containment === 'process-group')
      console.warn("fallback mode: children can read the server's /proc entries; /proc leak check skipped");
    else expect(output).not.toContain(TOKEN);
    expect(output.split('\n').filter((line) => line.startsWith('SANDPROC_TOKEN='))).toEqual([]);
  });

  it('the same through the root `pnpm sandbox` script, with the token in a file', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'sandproc-token-'));
    const tokenFile = join(directory, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const environment = { ...process.env, [UNIQUE_NAME]: UNIQUE_VALUE, SANDPROC_TOKEN: TOKEN };
    for (const args of [
      ['--port', '0'],
      ['--port', '0', '--token-file', tokenFile],
    ]) {
      const cli = startCliProcess(args, environment, ['pnpm', '--silent', 'sandbox'], REPOSITORY_ROOT);
      const { output, containment } = await snoopThrough(cli, TOKEN);
      expect(output).not.toContain(UNIQUE_VALUE);
      expect(output).not.toMatch(/^npm_/m);
      if (containment !== 'process-group') expect(output).not.toContain(TOKEN);
      cli.signal('SIGTERM');
      await cli.exited;
    }
  }, 240_000);

  it('--token on the command line works but warns, and the process title hides it', async () => {
    const cli = startCliProcess(['--port', '0', '--token', TOKEN], { PATH: process.env.PATH });
    started.push(cli);
    await cli.listening();
    expect(cli.output()).toContain('warning: --token is visible');
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(`/proc/${cli.child.pid}/cmdline`, 'utf8')).not.toContain(TOKEN);
    expect((await cli.request(TOKEN, 'GET', '/process')).status).toBe(200);
  });

  it('default set, passEnv and inheritEnv; SHELL is the shell commands run in', async () => {
    process.env[UNIQUE_NAME] = UNIQUE_VALUE;
    process.env.SANDPROC_PASSED_VARIABLE = 'passed';
    const servers = await Promise.all([
      startTestServer(),
      startTestServer({ passEnv: ['SANDPROC_PASSED_VARIABLE'] }),
      startTestServer({ inheritEnv: true }),
    ]);
    try {
      const outputs = [];
      for (const server of servers)
        outputs.push(
          (await server.exec({ command: 'env', waitForCompletion: true, env: { FROM_REQUEST: 'r' } })).json.stdout,
        );
      const [plain, passing, inheriting] = outputs as [string, string, string];
      for (const output of outputs) {
        expect(output).toContain('FROM_REQUEST=r\n');
        expect(output).toContain(`PATH=${process.env.PATH}\n`);
        expect(output).toContain(`SHELL=${servers[0]?.server.options.shell}\n`);
      }
      expect(plain).not.toContain(UNIQUE_NAME);
      expect(plain).not.toContain('SANDPROC_PASSED_VARIABLE');
      expect(passing).toContain('SANDPROC_PASSED_VARIABLE=passed\n');
      expect(passing).not.toContain(UNIQUE_NAME);
      expect(inheriting).toContain(`${UNIQUE_NAME}=${UNIQUE_VALUE}\n`);
    } finally {
      delete process.env[UNIQUE_NAME];
      delete process.env.SANDPROC_PASSED_VARIABLE;
      await Promise.all(servers.map((server) => server.server.close()));
    }
  });

  it('finds its shell and launcher programs on absolute PATH entries only, with one lookup', () => {
    const directory = mkdtempSync(join(tmpdir(), 'sandproc-path-test-'));
    try {
      writeFileSync(join(directory, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
      writeFileSync(join(directory, 'sh'), '#!/bin/sh\n', { mode: 0o755 });
      writeFileSync(join(directory, 'plain'), '', { mode: 0o644 });
      expect(findExecutable('tool', `/nonexistent:${directory}:/usr/bin`)).toBe(join(directory, 'tool'));
      expect(findExecutable('plain', directory)).toBeUndefined();
      // A relative entry depends on the working directory: skipped by both lookups.
      const relativeEntry = relative(process.cwd(), directory);
      expect(findExecutable('tool', relativeEntry)).toBeUndefined();
      expect(resolveShell({ PATH: `${relativeEntry}:${directory}` })).toBe(join(directory, 'sh'));
      expect(findOnServerPath('sandproc-no-such-program')).toBe('sandproc-no-such-program');
      expect(findOnServerPath('sh')).toMatch(/^\/.*\/sh$/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('commands run as `$SHELL -c` (bash syntax works under bash), falling back to sh', async () => {
    expect(resolveShell({ SHELL: '/no/such/shell', PATH: process.env.PATH })).toMatch(/\/sh$/);
    expect(resolveShell({ SHELL: 'bash', PATH: '' })).toBe('/bin/sh');
    const sandbox = await startTestServer();
    try {
      const shell = sandbox.server.options.shell;
      expect(shell).toBe(resolveShell());
      const { json } = await sandbox.exec({ command: 'echo "$SHELL"; echo "$0"', waitForCompletion: true });
      expect(json.stdout).toBe(`${shell}\n${shell}\n`);
      if (shell.endsWith('/bash')) {
        const bashOnly = await sandbox.exec({
          command: 'function greet() { echo "hi $1"; }; greet there; source /dev/null && echo sourced',
          waitForCompletion: true,
        });
        expect(bashOnly.json).toMatchObject({ status: 'completed', stdout: 'hi there\nsourced\n' });
      }
    } finally {
      await sandbox.server.close();
    }
  });
});
