import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Creates `path` and its missing parents (`mkdir -p`), like `mkdirSync(path, { recursive: true })`
 * but without its endless loop where a parent exists yet cannot hold the child (a path under
 * `/proc`, where mkdir answers ENOENT: Node's recursive mkdir then spins forever). An ENOENT once
 * the parent exists is final. An existing directory is fine; an existing file is EEXIST.
 */
export function makeDirectory(path: string): void {
  makeOne(resolve(path), false);
}

function makeOne(absolute: string, parentMade: boolean): void {
  try {
    mkdirSync(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(absolute).isDirectory()) return;
    const parent = dirname(absolute);
    if (code !== 'ENOENT' || parentMade || parent === absolute) throw error;
    makeOne(parent, false);
    makeOne(absolute, true);
  }
}
