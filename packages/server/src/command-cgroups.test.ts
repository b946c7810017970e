import { existsSync, mkdirSync, readdirSync, readlinkSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownGroupsWith } from './process/cgroup-hierarchy.js';
import { CommandCgroups } from './process/command-cgroups.js';
import { bubblewrapUnavailable } from './testing/bubblewrap.js';
import { BUILT_CLI, startCliProcess } from './testing/cli-process.js';
import { pollUntil, startTestServer } from './testing/test-server.js';

/** Why these limits cannot be tested here, or undefined when they can. */
function cgroupsUnavailable(limits: { maxTasks?: number; maxMemoryBytes?: number }): string | undefined {
  try {
    CommandCgroups.create(limits).close();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const unavailable = cgroupsUnavailable({ maxTasks: 1 });
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
  const parent = ownGroupsWith('pids')[0]?.path;
  if (parent === undefined) return [];
  return readdirSync(parent).filter((name) => new RegExp(`^sandproc-\\d+-${process.pid}-`).test(name));
};

/**
 * Runs `test` against the CLI started inside a fresh cgroup of `controller` beside this process's
 * (its limit file set to `limit`), then stops the CLI and removes that cgroup.
 */
async function withCliInOuterCgroup(
  controller: 'pids' | 'memory',
  limit: { file: string; value: string },
  cliArguments: string[],
  test: (cli: ReturnType<typeof startCliProcess>, token: string) => Promise<void>,
): Promise<void> {
  const parent = ownGroupsWith(controller)[0]?.path as string;
  const outer = join(parent, `sandproc-test-outer-${controller}-${process.pid}`);
  mkdirSync(outer);
  writeFileSync(join(outer, limit.file), limit.value);
  // The CLI starts inside `outer`: a shell joins it, then becomes the CLI.
  const joinThenRun = ['sh', '-c', 'echo $$ > "$0" && exec "$@"', join(outer, 'cgroup.procs')];
  const token = `outer-${controller}-token`;
  const cli = startCliProcess(['--port', '0', ...cliArguments], { ...process.env, SANDPROC_TOKEN: token }, [
    ...joinThenRun,
    process.execPath,
    BUILT_CLI,
  ]);
  try {
    await cli.listening();
    await test(cli, token);
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
}

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
    await withCliInOuterCgroup(
      'pids',
      { file: 'pids.max', value: '30' },
      ['--max-tasks', '1000'],
      async (cli, token) => {
        const { json } = await cli.request<{ stdout: string }>(token, 'POST', '/process', {
          command: `python3 -c "$FORKER" 50`,
          env: { FORKER },
          waitForCompletion: true,
          timeout: 60,
        });
        expect(json.stdout).toMatch(/^refused 11\nforked (\d+)\n$/);
        expect(Number(/forked (\d+)/.exec(json.stdout)?.[1])).toBeLessThan(30);
      },
    );
  });
});

const MIB = 1024 * 1024;
const memoryUnavailable = cgroupsUnavailable({ maxMemoryBytes: 64 * MIB });
if (memoryUnavailable !== undefined) console.warn(`maxCommandMemoryBytes not tested: ${memoryUnavailable}`);

/** The cgroups of the servers of this process in the memory hierarchy. */
const ownMemoryGroups = (): string[] => {
  const parent = ownGroupsWith('memory')[0]?.path;
  if (parent === undefined) return [];
  return readdirSync(parent).filter((name) => new RegExp(`^sandproc-\\d+-${process.pid}-`).test(name));
};

/** A shell line that holds `bytes` of memory in a variable (a shell keeps a command substitution's output). */
const holdMemory = (bytes: number): string => `x=$(head -c ${bytes} /dev/zero | tr '\\0' a)`;

/** A start request for a command that holds `bytes` of memory, then prints `survived`; answered once it ended. */
const overMemory = (bytes: number) => ({
  command: `${holdMemory(bytes)}; echo survived`,
  waitForCompletion: true,
  timeout: 120,
});

/** Checks that the kernel ended a command of {@link overMemory} before it printed, and that its stderr says `why`. */
function expectEndedForMemory(json: { status: string; stdout: string; stderr: string }, why: string): void {
  expect(json.stdout).not.toContain('survived');
  expect(json.status).toBe('failed');
  expect(json.stderr).toContain(why);
}

describe.skipIf(memoryUnavailable !== undefined).each(modes)('maxCommandMemoryBytes in $label', ({ isolate }) => {
  it('the kernel ends a process of a command past its memory; the command fails and says why', async () => {
    const before = ownMemoryGroups();
    const sandbox = await startTestServer({ isolate, maxCommandMemoryBytes: 64 * MIB });
    try {
      const { json } = await sandbox.exec(overMemory(200_000_000));
      expectEndedForMemory(json, 'sandproc: the command reached its memory limit of 64 MiB (its whole tree at once)');
      const { json: next } = await sandbox.exec({ command: 'echo fine', waitForCompletion: true });
      expect(next).toMatchObject({ status: 'completed', exitCode: 0, stdout: 'fine\n', stderr: '' });
    } finally {
      await sandbox.server.close();
    }
    expect(ownMemoryGroups()).toEqual(before);
  });

  it("counts the command's processes together: eight that each fit are over it at once", async () => {
    const sandbox = await startTestServer({ isolate, maxCommandMemoryBytes: 64 * MIB });
    try {
      // Each subshell holds 12 MB (a fifth of the limit) for five seconds; together about 100 MB.
      const { json } = await sandbox.exec({
        command: `for i in 1 2 3 4 5 6 7 8; do (${holdMemory(12_000_000)}; sleep 5) & done; wait; echo after`,
        waitForCompletion: true,
        timeout: 60,
      });
      expect(json.stdout).toBe('after\n');
      expect(json.stderr).toMatch(
        /sandproc: the command reached its memory limit of 64 MiB .*the kernel ended (one|\d+) of its processes/,
      );
      // The shell itself ended well; the command failed because the kernel ended some of it.
      expect(json).toMatchObject({ status: 'failed', exitCode: 1 });
      const { json: alone } = await sandbox.exec({
        command: `${holdMemory(12_000_000)}; echo held \${#x}`,
        waitForCompletion: true,
        timeout: 60,
      });
      expect(alone).toMatchObject({ status: 'completed', stdout: 'held 12000000\n', stderr: '' });
    } finally {
      await sandbox.server.close();
    }
  });
});

describe('maxCommandMemoryBytes options', () => {
  it('must be a whole number of at least 4 MiB', async () => {
    await expect(startTestServer({ maxCommandMemoryBytes: 4 * MIB - 1 })).rejects.toThrow(/maxCommandMemoryBytes/);
  });

  it('--max-command-memory-mib below 4 is refused with the flag named', async () => {
    const cli = startCliProcess(['--port', '0', '--max-command-memory-mib', '3'], {
      ...process.env,
      SANDPROC_TOKEN: 't',
    });
    expect(await cli.exited).not.toBe(0);
    expect(cli.output()).toContain("invalid --max-command-memory-mib '3': expected a decimal integer of at least 4");
  });

  it.skipIf(memoryUnavailable !== undefined)('the CLI says the limit at startup and holds it', async () => {
    const cli = startCliProcess(['--port', '0', '--max-command-memory-mib', '48'], {
      ...process.env,
      SANDPROC_TOKEN: 'memory-token',
    });
    try {
      await cli.listening();
      // The banner is written after the `listening on` line, maybe in another chunk.
      await pollUntil(() => cli.output().includes('48 MiB per command (cgroup)'));
      const { json } = await cli.request<{ status: string; stdout: string; stderr: string }>(
        'memory-token',
        'POST',
        '/process',
        overMemory(100_000_000),
      );
      expectEndedForMemory(json, 'sandproc: the command reached its memory limit of 48 MiB');
    } finally {
      cli.signal('SIGTERM');
      await cli.exited;
    }
  });
});

describe.skipIf(memoryUnavailable !== undefined || unavailable !== undefined)('memory cgroups of other causes', () => {
  it("says so when the OOM killer ends a process for the server's cgroup, not the command's limit", async () => {
    // The CLI and its commands have 400 MiB; each command may have 1000.
    const outerLimit = { file: 'memory.limit_in_bytes', value: String(400 * MIB) };
    await withCliInOuterCgroup('memory', outerLimit, ['--max-command-memory-mib', '1000'], async (cli, token) => {
      const { json } = await cli.request<{ status: string; stdout: string; stderr: string }>(
        token,
        'POST',
        '/process',
        overMemory(1_000_000_000),
      );
      expectEndedForMemory(
        json,
        "sandproc: the kernel's OOM killer ended one of its processes: the machine or the server's own cgroup ran out of memory (the command's limit of 1000 MiB was not reached)",
      );
      expect(json.stderr).not.toContain('reached its memory limit');
    });
  });

  // A hierarchy this machine does not have (cpuacct on cgroup v2) has nothing to sweep.
  const sweptHierarchies = (['memory', 'cpuacct'] as const).flatMap((controller) => {
    const parent = ownGroupsWith(controller).find((group) => !group.unified)?.path;
    return parent === undefined ? [] : [{ controller, parent }];
  });
  it.each(sweptHierarchies)(
    'a server with only a task limit removes the $controller cgroups a killed server left',
    async ({ parent }) => {
      const namespace = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1];
      // This process's pid with another start time: a server that was here and is gone.
      const stale = join(parent, `sandproc-${namespace}-${process.pid}-1-1`);
      mkdirSync(join(stale, 'command-1'), { recursive: true });
      const sandbox = await startTestServer({ maxTasks: 10 });
      try {
        expect(existsSync(stale)).toBe(false);
      } finally {
        await sandbox.server.close();
        if (existsSync(stale)) rmdirSync(join(stale, 'command-1'));
        if (existsSync(stale)) rmdirSync(stale);
      }
    },
  );
});
