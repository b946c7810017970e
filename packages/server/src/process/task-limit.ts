import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProcessStat } from './process-stat.js';

/** Where a pids controller may be mounted: cgroup v1's own hierarchy, then the unified (v2) one. */
const CGROUP_ROOTS = ['/sys/fs/cgroup/pids', '/sys/fs/cgroup'];
const SERVER_GROUP_PREFIX = 'sandproc-';

/**
 * A limit on the tasks (processes and threads) of each command, its whole tree at once, enforced
 * by the kernel with a cgroup of the pids controller: a fork past it fails (`EAGAIN`), so a fork
 * bomb stops there. The server has one cgroup, `sandproc-<PID namespace>-<pid>-<start time>-<n>`, and
 * each command one inside it, which its launcher joins before anything of the command starts.
 */
export class TaskLimit {
  readonly maxTasks: number;
  readonly #serverGroup: string;
  #serial = 0;

  private constructor(maxTasks: number, serverGroup: string) {
    this.maxTasks = maxTasks;
    this.#serverGroup = serverGroup;
  }

  /**
   * Creates the server's cgroup. Throws an error that says what is missing where no pids
   * controller can be written (not Linux, not root, or a read-only cgroup filesystem). Removes the
   * cgroups of servers of this PID namespace that are gone (a SIGKILLed server cannot remove its own).
   */
  static create(maxTasks: number): TaskLimit {
    const name = serverGroupName();
    const reasons: string[] = [];
    for (const root of CGROUP_ROOTS) {
      const group = join(root, name);
      try {
        mkdirSync(group);
      } catch (error) {
        reasons.push(`${root}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
        continue;
      }
      if (!existsSync(join(group, 'pids.max'))) {
        rmdirSync(group);
        reasons.push(`${root}: no pids controller`);
        continue;
      }
      // cgroup v2: the commands' groups inside this one need the controller enabled for them.
      if (existsSync(join(group, 'cgroup.subtree_control')))
        writeFileSync(join(group, 'cgroup.subtree_control'), '+pids');
      removeStaleServerGroups(root, name);
      return new TaskLimit(maxTasks, group);
    }
    throw new Error(
      `maxTasks needs a cgroup pids controller the server can write (Linux, as root): ${reasons.join('; ') || 'no cgroup filesystem'}`,
    );
  }

  /** A fresh cgroup for one command; its launcher joins it through {@link CommandTaskGroup.procsFile}. */
  createCommandGroup(): CommandTaskGroup {
    const path = join(this.#serverGroup, `command-${++this.#serial}`);
    mkdirSync(path);
    writeFileSync(join(path, 'pids.max'), String(this.maxTasks));
    return new CommandTaskGroup(path, this.maxTasks);
  }

  /** Removes the server's cgroup (its commands are over). */
  close(): void {
    removeGroup(this.#serverGroup);
  }
}

/** The cgroup of one command. */
export class CommandTaskGroup {
  readonly path: string;
  readonly maxTasks: number;

  constructor(path: string, maxTasks: number) {
    this.path = path;
    this.maxTasks = maxTasks;
  }

  /** The file a process writes its pid to, to join the group (its children are born in it). */
  get procsFile(): string {
    return join(this.path, 'cgroup.procs');
  }

  /** How many forks the limit refused so far. */
  refusedForks(): number {
    try {
      return Number(/^max (\d+)$/m.exec(readFileSync(join(this.path, 'pids.events'), 'utf8'))?.[1] ?? 0);
    } catch {
      return 0;
    }
  }

  /** Removes the group once its processes are gone (later, at the server's close, if some still are). */
  remove(): void {
    removeGroup(this.path);
  }
}

/** Servers of this process so far (a process may run several). */
let serversInProcess = 0;

/**
 * `sandproc-<PID namespace inode>-<pid>-<start ticks>-<serial>`: names this server beyond pid reuse,
 * apart from other servers of the same process.
 */
function serverGroupName(): string {
  const namespace = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? '0';
  const startTicks = readProcessStat(process.pid)?.startTicks ?? 0;
  return `${SERVER_GROUP_PREFIX}${namespace}-${process.pid}-${startTicks}-${++serversInProcess}`;
}

/** Removes the groups under `root` of servers of this PID namespace that no longer run. */
function removeStaleServerGroups(root: string, own: string): void {
  const [namespace] = own.slice(SERVER_GROUP_PREFIX.length).split('-');
  for (const name of readdirSync(root)) {
    const match = /^sandproc-(\d+)-(\d+)-(\d+)-\d+$/.exec(name);
    if (match === null || name === own || match[1] !== namespace) continue;
    if (readProcessStat(Number(match[2]))?.startTicks === Number(match[3])) continue;
    removeGroup(join(root, name));
  }
}

/** Removes a cgroup and the groups in it; a group that still holds processes stays. */
function removeGroup(path: string): void {
  try {
    for (const entry of readdirSync(path, { withFileTypes: true }))
      if (entry.isDirectory()) removeGroup(join(path, entry.name));
    rmdirSync(path);
  } catch {
    // Still in use (or already gone): nothing to do.
  }
}
