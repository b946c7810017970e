import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of the executable `name` in the first absolute directory of `searchPath` that has it, or undefined. */
export function findExecutable(name: string, searchPath: string): string | undefined {
  for (const directory of searchPath.split(delimiter)) {
    // A relative entry ('' or '.') would depend on the working directory: never used.
    if (!isAbsolute(directory)) continue;
    const candidate = join(directory, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Absolute path of `name` found on the server's own `PATH` (not the child's: a request's `env`
 * may set `PATH` to anything, and the real server finds its shell the same way), or `name` itself
 * if it is not found there.
 */
export function findOnServerPath(name: string): string {
  return findExecutable(name, process.env.PATH ?? '/usr/bin:/bin') ?? name;
}

/**
 * The shell commands run in, as the real server does: the server's own `SHELL` when it is an
 * executable absolute path, else `sh` found on `PATH` (`/bin/sh` if not found).
 */
export function resolveShell(environment: NodeJS.ProcessEnv = process.env): string {
  const shell = environment.SHELL;
  if (shell !== undefined && isAbsolute(shell) && isExecutable(shell)) return shell;
  return findExecutable('sh', environment.PATH ?? '') ?? '/bin/sh';
}
