import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { isGoneBeyondDoubt, type ProcessIdentity } from './process-identity.js';

/** A cgroup controller the server uses to limit a command's whole tree. */
export type CgroupController = 'pids' | 'memory' | 'cpuacct';

/** Where cgroup v1 mounts each controller's hierarchy, and cgroup v2 its unified one. */
const CGROUP_ROOT = '/sys/fs/cgroup';
const SERVER_GROUP = /^sandproc-(\d+)-(\d+)-(\d+)-\d+$/;

/** Servers of this process so far (a process may run several). */
let serversInProcess = 0;

/** A cgroup directory this server's groups can go in, and whether it is cgroup v2's unified hierarchy. */
export interface CgroupParent {
  path: string;
  unified: boolean;
}

/**
 * The server's own cgroups that have `controller`, as directories: cgroup v1's hierarchy of that
 * controller first, then the unified (v2) one, where mounted (whether v2 has the controller
 * enabled there shows only when a group is made in it).
 */
export function ownGroupsWith(controller: CgroupController): CgroupParent[] {
  let lines: string[];
  try {
    lines = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  } catch {
    return [];
  }
  const groups: CgroupParent[] = [];
  for (const line of lines) {
    const [, controllers = '', path = ''] = line.split(':');
    if (controllers.split(',').includes(controller))
      groups.push({ path: join(CGROUP_ROOT, controller, path), unified: false });
  }
  for (const line of lines) {
    const [hierarchy, controllers, path = ''] = line.split(':');
    if (hierarchy === '0' && controllers === '' && existsSync(join(CGROUP_ROOT, 'cgroup.controllers')))
      groups.push({ path: join(CGROUP_ROOT, path), unified: true });
  }
  return groups;
}

/**
 * The name of a server's own cgroup: `sandproc-<PID namespace>-<pid>-<start ticks>-<n>`, so that a
 * later server can tell whether the one that made it is gone.
 */
export function serverGroupName(self: ProcessIdentity): string {
  const namespace = /\[(\d+)\]/.exec(self.pidNamespace)?.[1] ?? '0';
  return `sandproc-${namespace}-${self.pid}-${self.startTicks}-${++serversInProcess}`;
}

/**
 * Removes the groups in `parent` of servers of this PID namespace that are gone (a SIGKILLed server
 * cannot remove its own); the groups of servers that run, this one's included, stay.
 */
export function removeStaleServerGroups(parent: string, self: ProcessIdentity): void {
  for (const name of readdirSync(parent)) {
    const match = SERVER_GROUP.exec(name);
    if (match === null) continue;
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
export function removeGroup(path: string): boolean {
  try {
    for (const entry of readdirSync(path, { withFileTypes: true }))
      if (entry.isDirectory()) removeGroup(join(path, entry.name));
    rmdirSync(path);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** A number a cgroup file holds alone (`cpuacct.usage`), 0 if it cannot be read. */
export function readNumber(file: string): number {
  try {
    return Number(readFileSync(file, 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

/** The number after `key ` in a cgroup's flat-keyed file (`pids.events`, `memory.events`, `memory.oom_control`), 0 if none. */
export function readCounter(file: string, key: string): number {
  try {
    return Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(readFileSync(file, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}
