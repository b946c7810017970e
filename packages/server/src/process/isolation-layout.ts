import { mkdirSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { IsolationLayout } from './launch-plan.js';
import { makeDirectory } from './make-directory.js';

/**
 * Creates the directories of isolated mode in the server's run directory (`runDirectory`, a
 * resolved path): the private `HOME` (`home`) and, unless `workspace` is given, a fresh workspace
 * (`workspace`); both go when the run directory is removed. A given workspace is created if
 * missing and never removed. Paths are resolved through symbolic links, since they are mounted at
 * the same path inside the sandbox, where the rest of the run directory (the output files) is
 * hidden.
 */
export function createIsolationLayout(
  runDirectory: string,
  workspace: string | undefined,
  network: boolean,
  hidePaths: readonly string[] = [],
): IsolationLayout {
  const home = join(runDirectory, 'home');
  mkdirSync(home);
  let workspacePath = join(runDirectory, 'workspace');
  if (workspace === undefined) mkdirSync(workspacePath);
  else {
    makeDirectory(workspace);
    workspacePath = realpathSync(resolve(workspace));
  }
  return { runDirectory, workspace: workspacePath, home, network, hidden: hidePaths.flatMap(hiddenPath) };
}

/**
 * A path to hide, resolved through symbolic links (bubblewrap mounts over the real file), or
 * nothing if it is not a file or directory that exists (a pipe such as `--token-file <(...)` is
 * read once and cannot be read again).
 */
function hiddenPath(path: string): { path: string; directory: boolean }[] {
  try {
    const real = realpathSync(resolve(path));
    const info = statSync(real);
    if (info.isDirectory() || info.isFile()) return [{ path: real, directory: info.isDirectory() }];
  } catch {
    // Missing, or a pipe's /dev/fd entry that resolves to no path.
  }
  return [];
}
