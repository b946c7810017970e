import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  currentProcessIdentity,
  isGoneBeyondDoubt,
  isProcessIdentity,
  type ProcessIdentity,
} from './process-identity.js';
import { removeRunDirectory, RUN_DIRECTORY_PREFIX } from './run-directory.js';

/** Name of the file, in a run directory, that says which server owns it (a {@link ProcessIdentity}). */
export const OWNER_FILE = 'owner.json';

/** Writes which server owns `runDirectory` (nothing where `/proc` cannot tell). */
export function writeOwner(runDirectory: string, owner = currentProcessIdentity()): void {
  if (owner === undefined) return;
  writeFileSync(join(runDirectory, OWNER_FILE), `${JSON.stringify(owner)}\n`, { mode: 0o600 });
}

/**
 * Removes the run directories under `parent` that a server which is gone left behind (a server
 * killed with SIGKILL cannot remove its own). A directory is removed only when it belongs to this
 * user and its owner file shows, beyond doubt, that its server no longer runs (see
 * {@link isGoneBeyondDoubt}: this machine, and another boot or the same PID namespace with no
 * process of that pid and start time). Anything else (no owner file, another machine's or another
 * PID namespace's server, a file that cannot be read) is left alone. Returns the paths removed.
 */
export function removeStaleRunDirectories(parent: string, keep: string): string[] {
  const self = currentProcessIdentity();
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

function isStale(path: string, self: ProcessIdentity): boolean {
  try {
    if (statSync(path).uid !== process.getuid?.()) return false;
    const owner: unknown = JSON.parse(readFileSync(join(path, OWNER_FILE), 'utf8'));
    return isProcessIdentity(owner) && isGoneBeyondDoubt(owner, self);
  } catch {
    return false;
  }
}
