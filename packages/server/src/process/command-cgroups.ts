import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CgroupController,
  type CgroupParent,
  ownGroupsWith,
  removeGroup,
  removeStaleServerGroups,
  serverGroupName,
} from './cgroup-hierarchy.js';
import { CommandCgroup, type CommandCgroupLimits, type MemoryGroup } from './command-cgroup.js';
import { currentProcessIdentity, type ProcessIdentity } from './process-identity.js';

/** How long `close()` waits for the processes of the commands' cgroups to be gone, in milliseconds. */
const CLOSE_WAIT_MS = 5000;
const CLOSE_POLL_MS = 20;

/** The option each controller serves, for error messages. */
const OPTION_OF: Record<CgroupController, string> = {
  pids: 'maxTasks',
  memory: 'maxCommandMemoryBytes',
  cpuacct: 'maxCommandCpuSeconds',
};

/** One cgroup of the server, in one hierarchy, with the controllers it limits commands with. */
interface ServerGroup {
  path: string;
  unified: boolean;
  controllers: CgroupController[];
}

/**
 * Limits on each command's whole tree at once, enforced with cgroups: tasks (the pids controller:
 * a fork past the limit fails with `EAGAIN`, so a fork bomb stops there), memory (the memory
 * controller: past the limit the kernel reclaims, then its OOM killer ends a process of the
 * command) and CPU time (cgroup v1's cpuacct controller counts it; the server reads it every
 * 200 ms and ends the command past the limit). The server makes one cgroup inside its own in each
 * hierarchy it needs (so every limit on the server still holds for its commands; cgroup v2 has one
 * hierarchy for pids and memory), named `sandproc-<PID namespace>-<pid>-<start ticks>-<n>`, and one per command inside it,
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
    if (limits.maxCpuSeconds !== undefined) wanted.push('cpuacct');
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
    removeStaleServerGroupsEverywhere(self);
    return new CommandCgroups(limits, groups);
  }

  /** Fresh cgroups for one command; its launcher joins them through {@link CommandCgroup.procsFiles}. */
  createCommandGroup(): CommandCgroup {
    for (const path of this.#toRemove) if (removeGroup(path)) this.#toRemove.delete(path);
    const name = `command-${++this.#serial}`;
    const made: string[] = [];
    let pidsGroup: string | undefined;
    let memoryGroup: MemoryGroup | undefined;
    let cpuGroup: string | undefined;
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
        if (group.controllers.includes('cpuacct')) cpuGroup = path;
      }
    } catch (error) {
      for (const path of made) removeGroup(path);
      throw error;
    }
    return new CommandCgroup(made, this.limits, { pids: pidsGroup, memory: memoryGroup, cpu: cpuGroup }, () => {
      let removed = true;
      for (const path of made)
        if (!removeGroup(path)) {
          this.#toRemove.add(path);
          removed = false;
        }
      return removed;
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

/**
 * Removes the cgroups that gone servers of this PID namespace left in every hierarchy the server
 * could use, not only those it uses (a server with another set of limits was killed before).
 */
function removeStaleServerGroupsEverywhere(self: ProcessIdentity): void {
  for (const controller of ['pids', 'memory', 'cpuacct'] as const) {
    for (const parent of ownGroupsWith(controller)) {
      try {
        removeStaleServerGroups(parent.path, self);
      } catch {
        /* a hierarchy this server cannot read: nothing of it to remove */
      }
    }
  }
}

/** Makes the server's group for `controller` in the first of its own cgroups that has it writable. */
function createServerGroup(controller: CgroupController, self: ProcessIdentity): ServerGroup {
  const reasons: string[] = [];
  for (const parent of ownGroupsWith(controller)) {
    if (controller === 'cpuacct' && parent.unified) {
      reasons.push(
        `${parent.path}: cgroup v2 has no cpuacct controller, and the CPU time limit reads cgroup v1's (cgroup v1 works)`,
      );
      continue;
    }
    const group = join(parent.path, serverGroupName(self));
    try {
      mkdirSync(group);
    } catch (error) {
      reasons.push(`${parent.path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      continue;
    }
    if (!enableController(group, controller, parent)) {
      removeGroup(group);
      reasons.push(
        parent.unified
          ? `${parent.path}: cgroup v2 does not give the groups inside the server's own cgroup a ${controller} controller (the kernel enables controllers for the groups inside a cgroup only while no process runs in it, and the server runs in its own; cgroup v1 works)`
          : `${parent.path}: no ${controller} controller`,
      );
      continue;
    }
    if (controller === 'memory' && swapIsOn() && !accountsSwap(group, parent.unified)) {
      removeGroup(group);
      reasons.push(
        `${parent.path}: swap is on and this kernel does not count it in a cgroup's memory (cgroup v1: boot with swapaccount=1), so a command could swap past its limit`,
      );
      continue;
    }
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
  const controlFiles = {
    pids: 'pids.max',
    cpuacct: 'cpuacct.usage',
    memory: unified ? 'memory.max' : 'memory.limit_in_bytes',
  };
  const limitFile = controlFiles[controller];
  if (!existsSync(join(group, limitFile))) return false;
  if (!unified) return true;
  try {
    writeFileSync(join(group, 'cgroup.subtree_control'), `+${controller}`);
    return true;
  } catch {
    return false;
  }
}

/** Whether the machine has swap in use (a device or file listed in `/proc/swaps`). */
function swapIsOn(): boolean {
  try {
    return readFileSync('/proc/swaps', 'utf8').trim().split('\n').length > 1;
  } catch {
    return false;
  }
}

/** Whether a memory cgroup can limit swap too (its files for it exist). */
function accountsSwap(group: string, unified: boolean): boolean {
  return existsSync(join(group, unified ? 'memory.swap.max' : 'memory.memsw.limit_in_bytes'));
}

/**
 * Sets a command group's memory limit, swap included (the server refuses the limit where swap is
 * on and the kernel does not count it), so swap is no way around it.
 */
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
