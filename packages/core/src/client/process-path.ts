import { InvalidArgumentError } from '../errors/invalid-argument-error.js';

/**
 * The path of a process endpoint. `''`, `.` and `..` survive `encodeURIComponent` and would be
 * normalized away by URL resolution (`process/..` is the root), and an id with a lone surrogate
 * cannot be encoded at all: they are refused before any request with an {@link InvalidArgumentError}
 * (no status: no server answered).
 */
export function processPath(id: string, suffix = ''): string {
  try {
    if (!/^\.{0,2}$/.test(id)) return `process/${encodeURIComponent(id)}${suffix}`;
  } catch {
    // URIError: a lone surrogate
  }
  throw new InvalidArgumentError({ message: `invalid process id '${id}'`, argument: 'id', value: id });
}
