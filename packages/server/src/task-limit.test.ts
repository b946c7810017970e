import { mkdirSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownPidsGroups, TaskLimit } from './process/task-limit.js';
import { bubblewrapUnavailable } from './testing/bubblewrap.js';
import { BUILT_CLI, startCliProcess } from './testing/cli-process.js';
import { pollUntil, startTestServer } from './testing/test-server.js';

/** Why the kernel task limit cannot be tested here, or undefined when it can. */
function taskLimitUnavailable(): string | undefined {
  try {
    TaskLimit.create(1).close();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const unavailable = taskLimitUnavailable();
if (unavailable !== undefined) console.warn(`maxTasks not tested: ${unavailable}`);
const isolatedUnavailable = bubblewrapUnavailable();
const modes: Array<{ label: string; isolate: boolean }> = [{ label: 'default mode', isolate: false }];
if (isolatedUnavailable === undefined) modes.push({ label: 'isolated mode', isolate: true });

/**
 * Forks children that sleep until it has forked `attempts` of them or a fork is refused, prints
 * how many it forked and the refusal's errno, then ends them and exits 0.
 */
const FORKER = [
  'import os, sys, time',
  'children = []',
  'for _ in range(int(sys.argv[1])):',
  '    try:',
  '        pid = os.fork()',
  '    except OSError as error:',
  "        print('refused', error.errno, flush=True)",
  '        break',
  '    if pid == 0:',
  '        time.sleep(60)',
  '        os._exit(0)',
  '    children.append(pid)',
  "print('forked', len(children), flush=True)",
  'for pid in children:',
  '    os.kill(pid, 9)',
  '    os.waitpid(pid, 0)',
].join('\n');

/** The cgroups of the servers of this process (beside each other, in this process's own pids cgroup). */
const ownGroups = (): string[] => {
  const parent = ownPidsGroups()[0];
  if (parent === undefined) return [];
  return readdirSync(parent).filter((name) => new RegExp(`^sandproc-\\d+-${process.pid}-`).test(name));
};

describe.skipIf(unavailable !== undefined).each(modes)('maxTasks in $label', ({ isolate }) => {
  it('the kernel refuses forks past the limit for the whole command; the command fails and says why', async () => {
    const sandbox = await startTestServer({ isolate, maxTasks: 12 });
    try {
      const { json } = await sandbox.exec({
        command: `python3 -c "$FORKER" 50`,
        env: { FORKER },
        waitForCompletion: true,
        timeout: 60,
      });
      expect(json.stdout).toMatch(/^refused 11\nforked (\d+)\n$/);
      const forked = Number(/forked (\d+)/.exec(json.stdout)?.[1]);
      // The launcher, the namespace's init and the shell count too.
      expect(forked).toBeGreaterThan(0);
      expect(forked).toBeLessThan(12);
      expect(json.status).toBe('failed');
      expect(json.exitCode).toBe(1);
      expect(json.stderr).toContain('sandproc: the command reached its limit of 12 tasks');
      const { json: next } = await sandbox.exec({
        command: `python3 -c "$FORKER" 3`,
        env: { FORKER },
        waitForCompletion: true,
      });
      expect(next).toMatchObject({ status: 'completed', exitCode: 0, stdout: 'forked 3\n', stderr: '' });
    } finally {
      await sandbox.server.close();
    }
    expect(ownGroups()).toEqual([]);
  });
});

describe.skipIf(unavailable !== undefined)('maxTasks cgroups', () => {
  it('each server has its own cgroup while it runs, removed at close', async () => {
    const before = ownGroups();
    const first = await startTestServer({ maxTasks: 5 });
    const second = await startTestServer({ maxTasks: 5 });
    try {
      expect(ownGroups().filter((name) => !before.includes(name))).toHaveLength(2);
    } finally {
      await first.server.close();
      await second.server.close();
    }
    expect(ownGroups()).toEqual(before);
  });

  it('maxTasks must be a whole number of at least 1', async () => {
    await expect(startTestServer({ maxTasks: 0 })).rejects.toThrow(/maxTasks/);
  });

  it('leaves no cgroup behind: killed commands, and a command whose background children outlive it', async () => {
    const before = ownGroups();
    const sandbox = await startTestServer({ maxTasks: 20 });
    try {
      for (let round = 0; round < 5; round++) {
        const { json } = await sandbox.exec({ command: 'sleep 60 & sleep 60 & sleep 60' });
        expect((await sandbox.request('DELETE', `/process/${json.pid}/kill`)).status).toBe(200);
      }
      const { json } = await sandbox.exec({ command: 'sleep 60 & sleep 60 & echo done', waitForCompletion: true });
      expect(json).toMatchObject({ status: 'completed', stdout: 'done\n' });
    } finally {
      await sandbox.server.close();
    }
    expect(ownGroups()).toEqual(before);
  });

  it("nests in the server's own cgroup: a limit on the server still holds for its commands", async () => {
    const parent = ownPidsGroups()[0] as string;
    const outer = join(parent, `sandproc-test-outer-${process.pid}`);
    mkdirSync(outer);
    writeFileSync(join(outer, 'pids.max'), '30');
    // The CLI starts inside `outer`: a shell joins it, then becomes the CLI.
    const joinThenRun = ['sh', '-c', 'echo $$ > "$0" && exec "$@"', join(outer, 'cgroup.procs')];
    const cli = startCliProcess(
      ['--port', '0', '--max-tasks', '1000'],
      { ...process.env, SANDPROC_TOKEN: 'nest-token' },
      [...joinThenRun, process.execPath, BUILT_CLI],
    );
    try {
      await cli.listening();
      const { json } = await cli.request<{ stdout: string }>('nest-token', 'POST', '/process', {
        command: `python3 -c "$FORKER" 50`,
        env: { FORKER },
        waitForCompletion: true,
        timeout: 60,
      });
      expect(json.stdout).toMatch(/^refused 11\nforked (\d+)\n$/);
      expect(Number(/forked (\d+)/.exec(json.stdout)?.[1])).toBeLessThan(30);
    } finally {
      cli.signal('SIGTERM');
      await cli.exited;
      await pollUntil(() => {
        try {
          rmdirSync(outer);
          return true;
        } catch {
          return false;
        }
      });
    }
  });
});
