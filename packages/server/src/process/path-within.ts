import { sep } from 'node:path';

/** True if the absolute `path` is within `parent` (or is it). */
export function isWithin(path: string, parent: string): boolean {
  return path === parent || path.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}
