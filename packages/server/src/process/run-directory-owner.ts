import { readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProcessStat } from './process-stat.js';
import { removeRunDirectory, RUN_DIRECTORY_PREFIX } from './run-directory.js';

/** Who owns a run directory: enough to tell, from the same machine, whether that server still runs. */
export interface RunDirectoryOwner {
  /** The server's pid, in its PID namespace. */
  pid: number;
  /** When that process started, in clock ticks since boot (`/proc/<pid>/stat`, field 22). */
  startTicks: number;
  /** The server's PID namespace (`/proc/self/ns/pid`), e.g. `pid:[4026531836]`. */
  pidNamespace: string;
  /** The boot the server ran in (`/proc/sys/kernel/random/boot_id`). */
  bootId: string;
}

/** Name of the file, in a run directory, that says who owns it. */
export const OWNER_FILE = 'owner.json';

/** This process as a run directory's owner, or `undefined` where `/proc` cannot tell (not Linux). */
export function currentOwner(): RunDirectoryOwner | undefined {
  try {
    return {
      pid: process.pid,
      startTicks: readProcessStat(process.pid)?.startTicks ?? Number.NaN,
      pidNamespace: readlinkSync('/proc/self/ns/pid'),
      bootId: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
    };
  } catch {
    return undefined;
  }
}

/** Writes who owns `runDirectory` (nothing where `/proc` cannot tell). */
export function writeOwner(runDirectory: string, owner = currentOwner()): void {
  if (owner === undefined || Number.isNaN(owner.startTicks)) return;
  writeFileSync(join(runDirectory, OWNER_FILE), `${JSON.stringify(owner)}\n`, { mode: 0o600 });
}

/**
 * Removes the run directories under `parent` that a server which is gone left behind (a server
 * killed with SIGKILL cannot remove its own). A directory is removed only when it belongs to this
 * user and its owner file shows, beyond doubt, that its server no longer runs: another boot, or the
 * same PID namespace with no process of that pid and start time. Anything else (no owner file, a
 * server in another PID namespace, a file that cannot be read) is left alone. Returns the paths removed.
 */
export function removeStaleRunDirectories(parent: string, keep: string): string[] {
  const self = currentOwner();
  if (self === undefined) return [];
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(RUN_DIRECTORY_PREFIX)) continue;
    const path = join(parent, name);
    if (path === keep || !isStale(path, self)) continue;
    try {
      removeRunDirectory(path);
      removed.push(path);
    } catch {
      // Another server may be sweeping it at the same time; what is left is its to remove.
    }
  }
  return removed;
}

function isStale(path: string, self: RunDirectoryOwner): boolean {
  try {
    if (statSync(path).uid !== process.getuid?.()) return false;
    const owner = JSON.parse(readFileSync(join(path, OWNER_FILE), 'utf8')) as Partial<RunDirectoryOwner>;
    if (typeof owner.bootId !== 'string' || typeof owner.pidNamespace !== 'string') return false;
    if (typeof owner.pid !== 'number' || typeof owner.startTicks !== 'number') return false;
    if (owner.bootId !== self.bootId) return true;
    if (owner.pidNamespace !== self.pidNamespace) return false;
    return readProcessStat(owner.pid)?.startTicks !== owner.startTicks;
  } catch {
    return false;
  }
}
