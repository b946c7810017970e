import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CgroupController,
  type CgroupParent,
  ownGroupsWith,
  readCounter,
  removeGroup,
  removeStaleServerGroups,
  serverGroupName,
} from './cgroup-hierarchy.js';
import { currentProcessIdentity, type ProcessIdentity } from './process-identity.js';

/** How long `close()` waits for the processes of the commands' cgroups to be gone, in milliseconds. */
const CLOSE_WAIT_MS = 5000;
const CLOSE_POLL_MS = 20;

/** The limits on each command's whole tree that cgroups hold. */
export interface CommandCgroupLimits {
  /** Tasks (processes and threads) at once: the pids controller. */
  maxTasks?: number;
  /** Memory at once, in bytes (no swap on top): the memory controller. */
  maxMemoryBytes?: number;
}

/** The option each controller serves, for error messages. */
const OPTION_OF: Record<CgroupController, string> = { pids: 'maxTasks', memory: 'maxCommandMemoryBytes' };

/** One cgroup of the server, in one hierarchy, with the controllers it limits commands with. */
interface ServerGroup {
  path: string;
  unified: boolean;
  controllers: CgroupController[];
}

/**
 * Limits on each command's whole tree at once, enforced by the kernel with cgroups: tasks (the
 * pids controller: a fork past the limit fails with `EAGAIN`, so a fork bomb stops there) and
 * memory (the memory controller: past the limit the kernel reclaims, then its OOM killer ends a
 * process of the command). The server makes one cgroup inside its own in each hierarchy it needs
 * (so every limit on the server still holds for its commands; cgroup v2 has one hierarchy for
 * both), named `sandproc-<PID namespace>-<pid>-<start ticks>-<n>`, and one per command inside it,
 * which the command's launcher joins before anything of the command starts.
 */
export class CommandCgroups {
  readonly limits: Readonly<CommandCgroupLimits>;
  readonly #serverGroups: readonly ServerGroup[];
  /** Command groups whose processes were not all gone when they were released: removed later. */
  readonly #toRemove = new Set<string>();
  #serial = 0;

  private constructor(limits: CommandCgroupLimits, serverGroups: ServerGroup[]) {
    this.limits = { ...limits };
    this.#serverGroups = serverGroups;
  }

  /**
   * Creates the server's cgroups for `limits`. Throws an error that says what is missing where a
   * controller cannot be written (not Linux, not root, a read-only cgroup filesystem, or cgroup v2
   * without the controller delegated). Removes the cgroups that servers of this PID namespace
   * which are gone left beside them (a SIGKILLed server cannot remove its own).
   */
  static create(limits: CommandCgroupLimits): CommandCgroups {
    const wanted: CgroupController[] = [];
    if (limits.maxTasks !== undefined) wanted.push('pids');
    if (limits.maxMemoryBytes !== undefined) wanted.push('memory');
    const self = currentProcessIdentity();
    if (self === undefined)
      throw new Error(
        `${wanted.map((controller) => OPTION_OF[controller]).join(' and ')} need Linux cgroups: /proc cannot tell who this server is`,
      );
    const groups: ServerGroup[] = [];
    try {
      for (const controller of wanted) {
        // cgroup v2 has one hierarchy: a group made there for one controller serves the other too.
        const unified = groups.find((group) => group.unified);
        if (unified !== undefined && enableController(unified.path, controller)) {
          unified.controllers.push(controller);
          continue;
        }
        groups.push(createServerGroup(controller, self));
      }
    } catch (error) {
      for (const group of groups) removeGroup(group.path);
      throw error;
    }
    return new CommandCgroups(limits, groups);
  }

  /** Fresh cgroups for one command; its launcher joins them through {@link CommandCgroup.procsFiles}. */
  createCommandGroup(): CommandCgroup {
    for (const path of this.#toRemove) if (removeGroup(path)) this.#toRemove.delete(path);
    const name = `command-${++this.#serial}`;
    const made: string[] = [];
    let pidsGroup: string | undefined;
    let memoryGroup: { path: string; unified: boolean } | undefined;
    try {
      for (const group of this.#serverGroups) {
        const path = join(group.path, name);
        mkdirSync(path);
        made.push(path);
        if (group.controllers.includes('pids')) {
          writeFileSync(join(path, 'pids.max'), String(this.limits.maxTasks));
          pidsGroup = path;
        }
        if (group.controllers.includes('memory')) {
          writeMemoryLimit(path, group.unified, this.limits.maxMemoryBytes as number);
          memoryGroup = { path, unified: group.unified };
        }
      }
    } catch (error) {
      for (const path of made) removeGroup(path);
      throw error;
    }
    return new CommandCgroup(made, this.limits, pidsGroup, memoryGroup, () => {
      for (const path of made) if (!removeGroup(path)) this.#toRemove.add(path);
    });
  }

  /**
   * Removes the server's cgroups once the processes in them are gone (the server killed them just
   * before), waiting for them at most a few seconds; a group still in use then stays.
   */
  async close(): Promise<void> {
    const deadline = Date.now() + CLOSE_WAIT_MS;
    for (const group of this.#serverGroups) {
      while (!removeGroup(group.path) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, CLOSE_POLL_MS));
    }
    this.#toRemove.clear();
  }
}

/** The cgroups of one command. */
export class CommandCgroup {
  readonly limits: Readonly<CommandCgroupLimits>;
  /** The files a process writes its pid to, to join the groups (its children are born in them). */
  readonly procsFiles: readonly string[];
  readonly #pidsGroup: string | undefined;
  readonly #memoryGroup: { path: string; unified: boolean } | undefined;
  readonly #release: () => void;

  constructor(
    paths: readonly string[],
    limits: Readonly<CommandCgroupLimits>,
    pidsGroup: string | undefined,
    memoryGroup: { path: string; unified: boolean } | undefined,
    release: () => void,
  ) {
    this.procsFiles = paths.map((path) => join(path, 'cgroup.procs'));
    this.limits = limits;
    this.#pidsGroup = pidsGroup;
    this.#memoryGroup = memoryGroup;
    this.#release = release;
  }

  /** How many forks the task limit refused so far. */
  refusedForks(): number {
    return this.#pidsGroup === undefined ? 0 : readCounter(join(this.#pidsGroup, 'pids.events'), 'max');
  }

  /** How many processes of the command the kernel's OOM killer ended at the memory limit so far. */
  memoryKills(): number {
    const group = this.#memoryGroup;
    if (group === undefined) return 0;
    return readCounter(join(group.path, group.unified ? 'memory.events' : 'memory.oom_control'), 'oom_kill');
  }

  /** The command is over: removes the groups now, or once their last processes are gone. */
  release(): void {
    this.#release();
  }
}

/** Makes the server's group for `controller` in the first of its own cgroups that has it writable. */
function createServerGroup(controller: CgroupController, self: ProcessIdentity): ServerGroup {
  const reasons: string[] = [];
  for (const parent of ownGroupsWith(controller)) {
    const group = join(parent.path, serverGroupName(self));
    try {
      mkdirSync(group);
    } catch (error) {
      reasons.push(`${parent.path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      continue;
    }
    if (!enableController(group, controller, parent)) {
      removeGroup(group);
      reasons.push(`${parent.path}: no ${controller} controller`);
      continue;
    }
    removeStaleServerGroups(parent.path, group, self);
    return { path: group, unified: parent.unified, controllers: [controller] };
  }
  throw new Error(
    `${OPTION_OF[controller]} needs a cgroup ${controller} controller the server can write (Linux, as root): ${reasons.join('; ') || `no ${controller} controller mounted`}`,
  );
}

/**
 * Whether `group` has `controller` (its limit file exists, which on cgroup v2 needs the parent to
 * enable it), and on cgroup v2 enables it for the groups inside, the commands'.
 */
function enableController(group: string, controller: CgroupController, parent?: CgroupParent): boolean {
  const unified = parent?.unified ?? existsSync(join(group, 'cgroup.subtree_control'));
  const limitFile = controller === 'pids' ? 'pids.max' : unified ? 'memory.max' : 'memory.limit_in_bytes';
  if (!existsSync(join(group, limitFile))) return false;
  if (!unified) return true;
  try {
    writeFileSync(join(group, 'cgroup.subtree_control'), `+${controller}`);
    return true;
  } catch {
    return false;
  }
}

/** Sets a command group's memory limit, swap included where the kernel accounts it (so swap is no way around it). */
function writeMemoryLimit(path: string, unified: boolean, bytes: number): void {
  if (unified) {
    writeFileSync(join(path, 'memory.max'), String(bytes));
    if (existsSync(join(path, 'memory.swap.max'))) writeFileSync(join(path, 'memory.swap.max'), '0');
    return;
  }
  writeFileSync(join(path, 'memory.limit_in_bytes'), String(bytes));
  // Memory plus swap: at most the same, so nothing of the command is swapped out past the limit.
  if (existsSync(join(path, 'memory.memsw.limit_in_bytes')))
    writeFileSync(join(path, 'memory.memsw.limit_in_bytes'), String(bytes));
}
