import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_CLI, type CliProcess, startCliProcess } from './testing/cli-process.js';
import { hostPidOf, isAlive, pollUntil } from './testing/test-server.js';

/** The source, run through tsx. */
const SOURCE_CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const started: ChildProcessWithoutNullStreams[] = [];

beforeAll(() => {
  if (!existsSync(BUILT_CLI))
    throw new Error(`${BUILT_CLI} is missing: build the package first (pnpm --filter @sandproc/server build)`);
});

/** The CLI as its own process (the source through tsx by default), without the test's token unless given. */
function startCli(args: string[], env: NodeJS.ProcessEnv = {}, entry = SOURCE_CLI): CliProcess {
  const childEnv = { ...process.env, ...env };
  if (!('SANDPROC_TOKEN' in env)) delete childEnv.SANDPROC_TOKEN;
  const runner = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const cli = startCliProcess(args, childEnv, [process.execPath, ...runner, entry]);
  started.push(cli.child);
  return cli;
}

afterEach(() => {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

describe('sandproc-server CLI', () => {
  it('the built bin prints the URL and a generated token, serves, and SIGTERM leaves no orphan', async () => {
    const cli = startCli(['--port', '0'], {}, BUILT_CLI);
    await pollUntil(
      () => /listening on http:\/\/127\.0\.0\.1:\d+\n/.test(cli.output()) && /token: [0-9a-f]{64}\n/.test(cli.output()),
      30_000,
    );
    const url = /listening on (http:\/\/\S+)/.exec(cli.output())?.[1] ?? '';
    const token = /token: (\S+)/.exec(cli.output())?.[1] ?? '';
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    expect((await fetch(`${url}/process`)).status).toBe(401);
    const started = await fetch(`${url}/process`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ command: 'sleep 300 & echo $!; wait' }),
    });
    const created = (await started.json()) as { pid: string };
    let backgroundPid = 0;
    await pollUntil(async () => {
      const current = (await (await fetch(`${url}/process/${created.pid}`, { headers })).json()) as { stdout: string };
      backgroundPid = Number(current.stdout.trim());
      return backgroundPid > 0;
    });
    const { containment } = (await (await fetch(`${url}/health`)).json()) as { containment: string };
    backgroundPid = hostPidOf(created.pid, backgroundPid, containment);
    expect(isAlive(backgroundPid)).toBe(true);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    await pollUntil(() => !isAlive(backgroundPid) && !isAlive(Number(created.pid)));
  });

  it('takes the token from SANDPROC_TOKEN without printing it, and --strict', async () => {
    const cli = startCli(['--port', '0', '--strict'], { SANDPROC_TOKEN: 'env-token' });
    await pollUntil(() => cli.output().includes('listening on'), 30_000);
    expect(cli.output()).not.toContain('env-token');
    const url = /listening on (http:\/\/\S+)/.exec(cli.output())?.[1] ?? '';
    const health = (await (await fetch(`${url}/health`)).json()) as { compatibility: string };
    expect(health.compatibility).toBe('strict');
    expect((await fetch(`${url}/process`, { headers: { Authorization: 'Bearer env-token' } })).status).toBe(200);
    cli.child.kill('SIGINT');
    expect(await cli.exited).not.toBeNull();
  });

  it('refuses --no-auth on a non-loopback host', async () => {
    const cli = startCli(['--port', '0', '--host', '0.0.0.0', '--no-auth']);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toContain('without auth');
  });

  it('refuses a --port that is not a decimal number from 0 to 65535', async () => {
    for (const port of ['', '0x2F', '1e2', ' 5', '5 ', '+5', '1.0', '65536', '99999999']) {
      const cli = startCli(['--port', port], {}, BUILT_CLI);
      expect(await cli.exited).toBe(2);
      expect(cli.output()).toContain(`invalid --port '${port}'`);
      expect(cli.output()).not.toContain('listening on');
    }
  });

  it('says clearly that the port is busy, without the usage text, and exits 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const cli = startCli(['--port', String(port)], {}, BUILT_CLI);
      expect(await cli.exited).toBe(1);
      expect(cli.output()).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(cli.output()).toContain('--port 0 picks a free one');
      expect(cli.output()).not.toContain('Usage:');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('logs a refused origin with the flag that allows it, and exits 0 after a clean stop on Ctrl-C (SIGINT)', async () => {
    const cli = startCli(['--port', '0'], {}, BUILT_CLI);
    await pollUntil(() => cli.output().includes('listening on'), 30_000);
    const url = /listening on (http:\/\/\S+)/.exec(cli.output())?.[1] ?? '';
    expect((await fetch(`${url}/process`, { headers: { Origin: 'http://localhost:5173' } })).status).toBe(403);
    await pollUntil(() => cli.output().includes('start it with --cors-origin http://localhost:5173'));
    // Exit 0, so `npm run` and `pnpm` report no failure for a Ctrl-C.
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
  });

  it('keeps output under --data-dir with the given caps, and removes its run directory on exit', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cli-data-dir-'));
    try {
      const cli = startCli(
        ['--port', '0', '--data-dir', dataDir, '--max-output-bytes', '65536', '--max-finished-processes', '1'],
        { SANDPROC_TOKEN: 'disk-token' },
        BUILT_CLI,
      );
      await pollUntil(() => cli.output().includes('listening on'), 30_000);
      const url = /listening on (http:\/\/\S+)/.exec(cli.output())?.[1] ?? '';
      const headers = { Authorization: 'Bearer disk-token', 'Content-Type': 'application/json' };
      const exec = async (command: string): Promise<string> => {
        const answer = await fetch(`${url}/process`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ command, waitForCompletion: true }),
        });
        return ((await answer.json()) as { pid: string }).pid;
      };
      const first = await exec('seq 1 100000');
      expect(readdirSync(dataDir).filter((name) => name.startsWith('sandproc-run-'))).toHaveLength(1);
      const log = await (await fetch(`${url}/process/${first}/logs/stream`, { headers })).text();
      expect(log).toMatch(/^\[Output truncated: \d+ records dropped\]\n/);
      expect(log.endsWith('stdout:100000\n')).toBe(true);
      await exec('echo second');
      await pollUntil(async () => (await fetch(`${url}/process/${first}`, { headers })).status === 404);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('removes at start the run directory a SIGKILLed server left behind, and no other', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cli-data-dir-'));
    try {
      const killed = startCli(['--port', '0', '--data-dir', dataDir], { SANDPROC_TOKEN: 'kill-token' }, BUILT_CLI);
      await killed.listening();
      const runDirectories = (): string[] => readdirSync(dataDir).filter((name) => name.startsWith('sandproc-run-'));
      const [leftBehind] = runDirectories();
      killed.child.kill('SIGKILL');
      await killed.exited;
      expect(runDirectories()).toEqual([leftBehind]);
      const running = startCli(['--port', '0', '--data-dir', dataDir], { SANDPROC_TOKEN: 'kill-token' }, BUILT_CLI);
      await running.listening();
      await pollUntil(() => running.output().includes('left behind by a server that was killed'), 30_000);
      expect(running.output()).toContain(`removed ${join(dataDir, leftBehind ?? '')}`);
      const [current] = runDirectories();
      expect(current).not.toBe(leftBehind);
      expect(runDirectories()).toHaveLength(1);
      // A third server leaves the running one's directory alone.
      const third = startCli(['--port', '0', '--data-dir', dataDir], { SANDPROC_TOKEN: 'kill-token' }, BUILT_CLI);
      await third.listening();
      expect(runDirectories()).toContain(current);
      expect(runDirectories()).toHaveLength(2);
      for (const cli of [running, third]) {
        cli.child.kill('SIGTERM');
        expect(await cli.exited).toBe(0);
      }
      expect(runDirectories()).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a size or count flag that is not a decimal integer', async () => {
    for (const [flag, value] of [
      ['--max-output-bytes', '0'],
      ['--max-total-output-bytes', '1e9'],
      ['--max-finished-processes', '1.5'],
      ['--max-connections', 'many'],
    ]) {
      const cli = startCli(['--port', '0', flag as string, value as string]);
      expect(await cli.exited).toBe(2);
      expect(cli.output()).toContain(`invalid ${flag} '${value}'`);
    }
  });

  it.skipIf(process.platform !== 'linux')(
    'a --data-dir that cannot be made (under /proc, where a recursive mkdir spins) exits 2 with the reason',
    async () => {
      const cli = startCli(['--port', '0', '--data-dir', '/proc/sandproc-no-such-directory/run']);
      expect(await cli.exited).toBe(2);
      expect(cli.output()).toContain("ENOENT: no such file or directory, mkdir '/proc/sandproc-no-such-directory'");
      expect(cli.output()).not.toContain('listening on');
    },
  );

  it('names --token-file and the reason when the file cannot be read, and starts nothing', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'sandproc-token-file-test-'));
    try {
      for (const [file, reason] of [
        [join(directory, 'missing'), 'no such file'],
        [directory, 'it is a directory'],
      ] as const) {
        const cli = startCli(['--port', '0', '--token-file', file]);
        expect(await cli.exited).toBe(2);
        expect(cli.output()).toContain(`sandproc-server: cannot read --token-file '${file}': ${reason}\n`);
        expect(cli.output()).not.toContain('listening on');
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('refuses a --cors-origin that is not an origin, naming the flag, and starts nothing', async () => {
    const cli = startCli(['--port', '0', '--cors-origin', 'localhost:5173']);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toContain("sandproc-server: invalid --cors-origin 'localhost:5173': ");
    expect(cli.output()).not.toContain('listening on');
  });

  it('rejects unknown flags', async () => {
    const cli = startCli(['--bogus']);
    expect(await cli.exited).toBe(2);
  });
});
