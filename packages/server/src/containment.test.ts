import { spawnSync } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { BUILT_CLI, startCliProcess, type CliProcess } from './testing/cli-process.js';
import { commandProcesses, isAlive, pollUntil, startTestServer, type HostProcess } from './testing/test-server.js';
import { detectContainment } from './process/containment.js';
import { bubblewrapUnavailable } from './testing/bubblewrap.js';

const TOKEN = 'containment-test-token-6c1f';
/** A background child, a child in a new session, and one orphaned right away (its parent subshell exits). */
const SPREADING_COMMAND = 'sleep 301 & setsid sleep 302 & (sleep 303 &); echo started; wait';
const started: CliProcess[] = [];
const containment = detectContainment(undefined);

beforeAll(() => {
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: build the package first`);
  if (containment.mode === 'process-group') {
    console.warn(
      `containment tests skipped: no PID namespaces here (${containment.fallbackReason}); fallback mode cannot hold setsid children or survive SIGKILL`,
    );
  }
});

afterEach(() => {
  for (const cli of started.splice(0)) {
    cli.signal('SIGKILL');
  }
});

/** Starts the CLI, runs the spreading command, and returns the host processes of the three sleeps. */
async function startSpreadingCommand(args: string[] = []): Promise<{ cli: CliProcess; sleeps: HostProcess[] }> {
  const cli = startCliProcess(['--port', '0', ...args], { PATH: process.env.PATH, SANDPROC_TOKEN: TOKEN });
  started.push(cli);
  await cli.listening();
  const { json } = await cli.request<{ pid: string }>(TOKEN, 'POST', '/process', { command: SPREADING_COMMAND });
  let sleeps: HostProcess[] = [];
  const health = await cli.request<{ containment: string }>(TOKEN, 'GET', '/health');
  await pollUntil(() => {
    sleeps = commandProcesses(json.pid, health.json.containment).filter((entry) =>
      /^sleep 30[123]$/.test(entry.cmdline),
    );
    return sleeps.length === 3;
  });
  return { cli, sleeps };
}

describe.skipIf(containment.mode === 'process-group')(
  'children never outlive the server (PID namespace per command)',
  () => {
    it('SIGKILL of the server ends background, setsid and orphaned children', async () => {
      const { cli, sleeps } = await startSpreadingCommand();
      expect(sleeps.every((entry) => isAlive(entry.pid))).toBe(true);
      cli.child.kill('SIGKILL');
      await cli.exited;
      await pollUntil(() => sleeps.every((entry) => !isAlive(entry.pid)), 10_000);
    });

    it('the same in isolated mode', async (context) => {
      const unavailable = bubblewrapUnavailable();
      if (unavailable !== undefined) {
        console.warn(`isolated SIGKILL test skipped: ${unavailable}`);
        return context.skip();
      }
      const { cli, sleeps } = await startSpreadingCommand(['--isolate']);
      const workspace = /containment: isolated \(.*workspace (\S+),/.exec(cli.output())?.[1];
      expect(workspace).toMatch(/sandproc-run-[^/]+\/workspace$/);
      cli.child.kill('SIGKILL');
      await cli.exited;
      await pollUntil(() => sleeps.every((entry) => !isAlive(entry.pid)), 10_000);
      // A killed server cannot remove its run directory.
      rmSync(dirname(workspace ?? ''), { recursive: true, force: true });
    });

    it('a graceful shutdown (SIGTERM) ends them too', async () => {
      const { cli, sleeps } = await startSpreadingCommand();
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      await pollUntil(() => sleeps.every((entry) => !isAlive(entry.pid)), 10_000);
    });

    it.for([{ isolate: false }, { isolate: true }])(
      'stop and kill reach every process the command started, setsid ones included (isolate: $isolate)',
      async ({ isolate }, context) => {
        const unavailable = isolate ? bubblewrapUnavailable() : undefined;
        if (unavailable !== undefined) {
          console.warn(`isolated stop/kill test skipped: ${unavailable}`);
          return context.skip();
        }
        const sandbox = await startTestServer({ isolate });
        try {
          for (const path of ['', '/kill']) {
            const { json } = await sandbox.exec({ command: SPREADING_COMMAND });
            let sleeps: HostProcess[] = [];
            await pollUntil(() => {
              sleeps = commandProcesses(json.pid, sandbox.server.options.containment).filter((entry) =>
                /^sleep 30[123]$/.test(entry.cmdline),
              );
              return sleeps.length === 3;
            });
            expect((await sandbox.request('DELETE', `/process/${json.pid}${path}`)).status).toBe(200);
            const final = await sandbox.waitForStatus(json.pid, (process) => process.status !== 'running');
            expect(final.status).toBe(path === '' ? 'stopped' : 'killed');
            await pollUntil(() => sleeps.every((entry) => !isAlive(entry.pid)), 10_000);
          }
        } finally {
          await sandbox.server.close();
        }
      },
    );

    it('a command sees only its own processes, numbered from 1', async () => {
      const sandbox = await startTestServer();
      try {
        const { json } = await sandbox.exec({
          command: 'echo $$; ls /proc | grep -c "^[0-9]"',
          waitForCompletion: true,
        });
        const [ownPid, count] = json.stdout.trim().split('\n').map(Number);
        expect(ownPid).toBeLessThanOrEqual(3);
        expect(count).toBeLessThanOrEqual(5);
      } finally {
        await sandbox.server.close();
      }
    });
  },
);

/** Why the fallback test cannot run here (it needs root to drop to `nobody`, who must read the CLI), or undefined. */
function fallbackUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root (cannot start the server as another user)';
  const probe = spawnSync('setpriv', [...AS_NOBODY, 'test', '-r', BUILT_CLI]);
  return probe.status === 0 ? undefined : `user nobody cannot read ${BUILT_CLI} (or setpriv is missing)`;
}

const AS_NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
const fallbackSkipReason = fallbackUnavailable();
if (fallbackSkipReason !== undefined) console.warn(`fallback test skipped: ${fallbackSkipReason}`);

describe.skipIf(fallbackSkipReason !== undefined)('fallback where PID namespaces are refused', () => {
  it('an unprivileged server falls back to process groups, says so, and still stops, limits and cleans up', async () => {
    const cli = startCliProcess(
      ['--port', '0', '--max-cpu-seconds', '1'],
      { PATH: process.env.PATH, HOME: '/tmp', SANDPROC_TOKEN: TOKEN },
      ['setpriv', ...AS_NOBODY, process.execPath, BUILT_CLI],
    );
    started.push(cli);
    await cli.listening();
    await pollUntil(() => cli.output().includes('containment:'));
    expect(cli.output()).toMatch(/containment: process-group \(fallback: .+\)/);
    expect((await cli.request<{ containment: string }>(TOKEN, 'GET', '/health')).json.containment).toBe(
      'process-group',
    );
    const busy = await cli.request<{ status: string; stderr: string }>(TOKEN, 'POST', '/process', {
      command: 'node -e "for (;;) {}"',
      waitForCompletion: true,
    });
    expect(busy.json.status).toBe('failed');
    expect(busy.json.stderr).toContain('CPU time limit of 1 s per process');
    const { json } = await cli.request<{ pid: string; stdout: string }>(TOKEN, 'POST', '/process', {
      command: 'sleep 304 & echo $!; wait',
    });
    let backgroundPid = 0;
    await pollUntil(async () => {
      backgroundPid = Number(
        (await cli.request<{ stdout: string }>(TOKEN, 'GET', `/process/${json.pid}`)).json.stdout.trim(),
      );
      return backgroundPid > 0;
    });
    expect(isAlive(backgroundPid)).toBe(true);
    expect((await cli.request(TOKEN, 'DELETE', `/process/${json.pid}`)).status).toBe(200);
    await pollUntil(() => !isAlive(backgroundPid), 10_000);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });
});
