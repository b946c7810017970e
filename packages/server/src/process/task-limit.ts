import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentProcessIdentity, isGoneBeyondDoubt, type ProcessIdentity } from './process-identity.js';

const SERVER_GROUP = /^sandproc-(\d+)-(\d+)-(\d+)-\d+$/;
/** How long `close()` waits for the processes of the commands' cgroups to be gone, in milliseconds. */
const CLOSE_WAIT_MS = 5000;
const CLOSE_POLL_MS = 20;

/** Servers of this process so far (a process may run several). */
let serversInProcess = 0;

/**
 * A limit on the tasks (processes and threads) of each command, its whole tree at once, enforced
 * by the kernel with a cgroup of the pids controller: a fork past it fails (`EAGAIN`), so a fork
 * bomb stops there. The server makes one cgroup inside its own (so every limit on the server
 * still holds for its commands), `sandproc-<PID namespace>-<pid>-<start ticks>-<n>`, and one per
 * command inside that, which the command's launcher joins before anything of the command starts.
 */
export class TaskLimit {
  readonly maxTasks: number;
  readonly #serverGroup: string;
  /** Command groups whose processes were not all gone when they were released: removed later. */
  readonly #toRemove = new Set<string>();
  #serial = 0;

  private constructor(maxTasks: number, serverGroup: string) {
    this.maxTasks = maxTasks;
    this.#serverGroup = serverGroup;
  }

  /**
   * Creates the server's cgroup. Throws an error that says what is missing where no pids
   * controller can be written (not Linux, not root, a read-only cgroup filesystem, or cgroup v2
   * without the controller delegated). Removes the cgroups that servers of this PID namespace
   * which are gone left beside it (a SIGKILLed server cannot remove its own).
   */
  static create(maxTasks: number): TaskLimit {
    const self = currentProcessIdentity();
    if (self === undefined) throw new Error('maxTasks needs Linux cgroups: /proc cannot tell who this server is');
    const reasons: string[] = [];
    for (const parent of ownPidsGroups()) {
      const group = join(parent, serverGroupName(self));
      try {
        mkdirSync(group);
      } catch (error) {
        reasons.push(`${parent}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
        continue;
      }
      try {
        if (!existsSync(join(group, 'pids.max'))) throw new Error('no pids controller');
        // cgroup v2: the commands' groups inside this one need the controller enabled for them.
        if (existsSync(join(group, 'cgroup.subtree_control')))
          writeFileSync(join(group, 'cgroup.subtree_control'), '+pids');
      } catch (error) {
        removeGroup(group);
        reasons.push(`${parent}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        continue;
      }
      removeStaleServerGroups(parent, group, self);
      return new TaskLimit(maxTasks, group);
    }
    throw new Error(
      `maxTasks needs a cgroup pids controller the server can write (Linux, as root): ${reasons.join('; ') || 'no pids controller mounted'}`,
    );
  }

  /** A fresh cgroup for one command; its launcher joins it through {@link CommandTaskGroup.procsFile}. */
  createCommandGroup(): CommandTaskGroup {
    for (const path of this.#toRemove) if (removeGroup(path)) this.#toRemove.delete(path);
    const path = join(this.#serverGroup, `command-${++this.#serial}`);
    mkdirSync(path);
    try {
      writeFileSync(join(path, 'pids.max'), String(this.maxTasks));
    } catch (error) {
      removeGroup(path);
      throw error;
    }
    return new CommandTaskGroup(path, this.maxTasks, () => {
      if (!removeGroup(path)) this.#toRemove.add(path);
    });
  }

  /**
   * Removes the server's cgroup once the processes in it are gone (the server killed them just
   * before), waiting for them at most a few seconds; a group still in use then stays.
   */
  async close(): Promise<void> {
    const deadline = Date.now() + CLOSE_WAIT_MS;
    while (!removeGroup(this.#serverGroup) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, CLOSE_POLL_MS));
    this.#toRemove.clear();
  }
}

/** The cgroup of one command. */
export class CommandTaskGroup {
  readonly path: string;
  readonly maxTasks: number;
  readonly #release: () => void;

  constructor(path: string, maxTasks: number, release: () => void) {
    this.path = path;
    this.maxTasks = maxTasks;
    this.#release = release;
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

  /** The command is over: removes the group now, or once its last processes are gone. */
  release(): void {
    this.#release();
  }
}

/**
 * The server's own cgroups with a pids controller, as directories: cgroup v1's `pids` hierarchy,
 * then the unified (v2) one, where mounted.
 */
export function ownPidsGroups(): string[] {
  let lines: string[];
  try {
    lines = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  } catch {
    return [];
  }
  const groups: string[] = [];
  for (const line of lines) {
    const [, controllers = '', path = ''] = line.split(':');
    if (controllers.split(',').includes('pids')) groups.push(join('/sys/fs/cgroup/pids', path));
  }
  for (const line of lines) {
    const [hierarchy, controllers, path = ''] = line.split(':');
    if (hierarchy === '0' && controllers === '' && existsSync('/sys/fs/cgroup/cgroup.controllers'))
      groups.push(join('/sys/fs/cgroup', path));
  }
  return groups;
}

function serverGroupName(self: ProcessIdentity): string {
  const namespace = /\[(\d+)\]/.exec(self.pidNamespace)?.[1] ?? '0';
  return `sandproc-${namespace}-${self.pid}-${self.startTicks}-${++serversInProcess}`;
}

/** Removes the groups in `parent` of servers of this PID namespace that are gone. */
function removeStaleServerGroups(parent: string, own: string, self: ProcessIdentity): void {
  for (const name of readdirSync(parent)) {
    const match = SERVER_GROUP.exec(name);
    if (match === null || join(parent, name) === own) continue;
    // cgroups live as long as the boot, on this machine: only the PID namespace, pid and start can differ.
    const owner: ProcessIdentity = {
      ...self,
      pidNamespace: `pid:[${match[1]}]`,
      pid: Number(match[2]),
      startTicks: Number(match[3]),
    };
    if (isGoneBeyondDoubt(owner, self)) removeGroup(join(parent, name));
  }
}

/** Removes a cgroup and the groups in it; false if one still holds processes (or cannot be removed). */
function removeGroup(path: string): boolean {
  try {
    for (const entry of readdirSync(path, { withFileTypes: true }))
      if (entry.isDirectory()) removeGroup(join(path, entry.name));
    rmdirSync(path);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
