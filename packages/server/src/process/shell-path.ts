import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Absolute path of `name` found on the server's own `PATH` (not the child's: a request's `env`
 * may set `PATH` to anything, and the real server finds its shell the same way), or `name` itself
 * if it is not found there.
 */
export function findOnServerPath(name: string): string {
  for (const directory of (process.env['PATH'] ?? '/usr/bin:/bin').split(delimiter)) {
    if (directory === '') continue;
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch { /* not here */ }
  }
  return name;
}
