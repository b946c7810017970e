import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A point a command on the local server waits at until the test opens it. */
export interface Gate {
  /**
   * A shell snippet that waits until the test opens the gate (up to 30 s) and fails if it never
   * does: chain the rest of the command with `&&`.
   */
  wait: string;
  /** Lets the commands waiting at the gate go on (creates the marker file). */
  open(): Promise<void>;
}

const gateFiles: string[] = [];

/**
 * A gate for a command on the local server, so a test decides when a process goes on instead of
 * racing a `sleep` (the process and the test share the file system). Remove the marker files
 * with {@link removeGates} after the file's tests.
 */
export function createGate(): Gate {
  const path = join(tmpdir(), `sandproc-gate-${randomUUID()}`);
  gateFiles.push(path);
  return {
    wait: `i=0; while [ ! -e '${path}' ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done; [ -e '${path}' ]`,
    open: () => writeFile(path, ''),
  };
}

/** Removes the marker files of every gate created so far. */
export async function removeGates(): Promise<void> {
  await Promise.all(gateFiles.splice(0).map((path) => rm(path, { force: true })));
}
