import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { IsolationLayout } from './launch-plan.js';

/** The directories of isolated mode, and how to remove the ones the server created. */
export interface IsolationDirectories {
  layout: IsolationLayout;
  /** Removes the private `HOME` and a default workspace (never a workspace the user named). */
  remove(): void;
}

/**
 * Creates the run directory of isolated mode (`sandproc-isolated-*` under the system's temporary
 * directory) with the private `HOME` and, unless `workspace` is given, a fresh workspace in it. A
 * given workspace is created if missing. Paths are resolved through symbolic links, since they are
 * mounted at the same path inside the sandbox.
 */
export function createIsolationDirectories(workspace: string | undefined, network: boolean): IsolationDirectories {
  const runDirectory = realpathSync(mkdtempSync(join(tmpdir(), 'sandproc-isolated-')));
  const home = join(runDirectory, 'home');
  mkdirSync(home);
  let workspacePath = join(runDirectory, 'workspace');
  if (workspace === undefined) mkdirSync(workspacePath);
  else {
    mkdirSync(resolve(workspace), { recursive: true });
    workspacePath = realpathSync(resolve(workspace));
  }
  return {
    layout: { workspace: workspacePath, home, network },
    remove: () => rmSync(runDirectory, { recursive: true, force: true }),
  };
}
