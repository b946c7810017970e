import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ownGroupsWith } from './process/cgroup-hierarchy.js';
import { cpuTimeUnavailable } from './testing/cpu-time-limit.js';
import { bubblewrapUnavailable } from './testing/bubblewrap.js';
import { BUILT_CLI, startCliProcess } from './testing/cli-process.js';
import { commandProcesses, isAlive, pollUntil, startTestServer } from './testing/test-server.js';

const unavailable = cpuTimeUnavailable();
if (unavailable !== undefined) console.warn(`maxCommandCpuSeconds not tested: ${unavailable}`);
const isolatedUnavailable = bubblewrapUnavailable();
const modes: Array<{ label: string; isolate: boolean }> = [{ label: 'default mode', isolate: false }];
if (isolatedUnavailable === undefined) modes.push({ label: 'isolated mode', isolate: true });

/** The cgroups of the servers of this process in the cpuacct hierarchy. */
const ownCpuGroups = (): string[] => {
  const parent = ownGroupsWith('cpuacct')[0]?.path;
  if (parent === undefined) return [];
  return readdirSync(parent).filter((name) => new RegExp(`^sandproc-\\d+-${process.pid}-`).test(name));
};

/** Eight children that each spin until killed, then a line the shell prints only if they all ended. */
const EIGHT_BUSY_CHILDREN = 'for i in 1 2 3 4 5 6 7 8; do (while :; do :; done) & done; wait; echo after';

/** A kill of the whole tree is due a few seconds after the limit; this bound leaves room for a loaded machine. */
const KILL_BOUND = { timeoutMs: 120_000, intervalMs: 100, what: 'the command to end for its CPU time' };

describe.skipIf(unavailable !== undefined).each(modes)('maxCommandCpuSeconds in $label', ({ isolate }) => {
  it("counts the command's processes together: eight busy children past the limit end the whole tree", async () => {
    const before = ownCpuGroups();
    const sandbox = await startTestServer({ isolate, maxCommandCpuSeconds: 2 });
    try {
      const { json: started } = await sandbox.exec({ command: EIGHT_BUSY_CHILDREN });
      expect(started.status).toBe('running');
      const containment = sandbox.server.options.containment;
      let members: number[] = [];
      await pollUntil(() => {
        members = commandProcesses(started.pid, containment).map((entry) => entry.pid);
        return members.length >= 9;
      }, KILL_BOUND);
      let ended = started;
      await pollUntil(async () => {
        ended = await sandbox.get(String(started.pid));
        return ended.status !== 'running';
      }, KILL_BOUND);
      expect(ended.status).toBe('failed');
      expect(ended.stdout).not.toContain('after');
      expect(ended.stderr).toContain(
        'sandproc: the command used its CPU time limit of 2 s (its whole tree together) and was ended (maxCommandCpuSeconds)',
      );
      await pollUntil(() => members.every((pid) => !isAlive(pid)), KILL_BOUND);
      const { json: next } = await sandbox.exec({ command: 'echo fine', waitForCompletion: true });
      expect(next).toMatchObject({ status: 'completed', exitCode: 0, stdout: 'fine\n', stderr: '' });
    } finally {
      await sandbox.server.close();
    }
    expect(ownCpuGroups()).toEqual(before);
  }, 180_000);

  it('leaves a command under the limit alone', async () => {
    const sandbox = await startTestServer({ isolate, maxCommandCpuSeconds: 30 });
    try {
      const { json } = await sandbox.exec({
        command: 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; (echo child) & wait; echo counted $i',
        waitForCompletion: true,
        timeout: 120,
      });
      expect(json).toMatchObject({ status: 'completed', exitCode: 0, stdout: 'child\ncounted 20000\n', stderr: '' });
    } finally {
      await sandbox.server.close();
    }
  });
});

describe.skipIf(unavailable !== undefined)('maxCommandCpuSeconds cgroups', () => {
  it('leaves no cgroup behind: killed commands and commands that ended', async () => {
    const before = ownCpuGroups();
    const sandbox = await startTestServer({ maxCommandCpuSeconds: 60 });
    try {
      expect(ownCpuGroups().filter((name) => !before.includes(name))).toHaveLength(1);
      for (let round = 0; round < 3; round++) {
        const { json } = await sandbox.exec({ command: 'sleep 60 & sleep 60' });
        expect((await sandbox.request('DELETE', `/process/${json.pid}/kill`)).status).toBe(200);
      }
      const { json } = await sandbox.exec({ command: 'echo done', waitForCompletion: true });
      expect(json).toMatchObject({ status: 'completed', stdout: 'done\n' });
    } finally {
      await sandbox.server.close();
    }
    expect(ownCpuGroups()).toEqual(before);
  });
});

describe('maxCommandCpuSeconds options', () => {
  it('must be a whole number of at least 1', async () => {
    await expect(startTestServer({ maxCommandCpuSeconds: 0 })).rejects.toThrow(/maxCommandCpuSeconds/);
    await expect(startTestServer({ maxCommandCpuSeconds: 1.5 })).rejects.toThrow(/maxCommandCpuSeconds/);
  });

  it('--max-command-cpu-seconds below 1 is refused with the flag named', async () => {
    const cli = startCliProcess(['--port', '0', '--max-command-cpu-seconds', '0'], {
      ...process.env,
      SANDPROC_TOKEN: 't',
    });
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toContain("invalid --max-command-cpu-seconds '0': expected a decimal integer of at least 1");
  });

  it.skipIf(unavailable !== undefined)(
    'the CLI refuses to start, exit 2, where the cpuacct controller is missing',
    async () => {
      // In a mount namespace of its own, an empty file system over the cpuacct hierarchy hides it from the CLI.
      const hideCpuacct = [
        'unshare',
        '--mount',
        'sh',
        '-c',
        'mount -t tmpfs none /sys/fs/cgroup/cpuacct && exec "$@"',
        'sh',
      ];
      const cli = startCliProcess(
        ['--port', '0', '--max-command-cpu-seconds', '5'],
        { ...process.env, SANDPROC_TOKEN: 't' },
        [...hideCpuacct, process.execPath, BUILT_CLI],
      );
      expect(await cli.exited).toBe(2);
      expect(cli.output()).toContain('maxCommandCpuSeconds needs a cgroup cpuacct controller the server can write');
    },
  );

  it.skipIf(unavailable !== undefined)(
    'the CLI says the limit at startup and holds it',
    async () => {
      const cli = startCliProcess(['--port', '0', '--max-command-cpu-seconds', '1'], {
        ...process.env,
        SANDPROC_TOKEN: 'cpu-token',
      });
      try {
        await cli.listening();
        // The banner is written after the `listening on` line, maybe in another chunk.
        await pollUntil(() => cli.output().includes('1 CPU s per command (cgroup)'));
        const { json: started } = await cli.request<{ pid: number }>('cpu-token', 'POST', '/process', {
          command: EIGHT_BUSY_CHILDREN,
        });
        let ended: { status: string; stderr: string } | undefined;
        await pollUntil(async () => {
          const { json } = await cli.request<{ status: string; stderr: string }>(
            'cpu-token',
            'GET',
            `/process/${started.pid}`,
          );
          ended = json;
          return json.status !== 'running';
        }, KILL_BOUND);
        expect(ended?.status).toBe('failed');
        expect(ended?.stderr).toContain(
          'sandproc: the command used its CPU time limit of 1 s (its whole tree together)',
        );
      } finally {
        cli.signal('SIGTERM');
        await cli.exited;
      }
    },
    180_000,
  );
});
