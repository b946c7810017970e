import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeDirectory } from './make-directory.js';

/** Name prefix of run directories. */
export const RUN_DIRECTORY_PREFIX = 'sandproc-run-';

/**
 * Creates a fresh run directory `sandproc-run-XXXXXX` (mode 0700) under `parent` (created if
 * missing; default the OS temporary directory) and returns its path resolved through symbolic
 * links (isolated mode mounts paths in it at the same path inside the sandbox).
 */
export function createRunDirectory(parent: string | undefined): string {
  const base = resolve(parent ?? tmpdir());
  makeDirectory(base);
  return realpathSync(mkdtempSync(join(base, RUN_DIRECTORY_PREFIX)));
}

/** Removes a run directory and everything in it. */
export function removeRunDirectory(path: string): void {
  rmSync(path, { recursive: true, force: true });
}
