import { BadRequestError } from '../errors/http-errors.js';

/**
 * The path of a process endpoint. `''`, `.` and `..` survive `encodeURIComponent` and would be
 * normalized away by URL resolution (`process/..` is the root), and an id with a lone surrogate
 * cannot be encoded at all: they are refused before any request with a {@link BadRequestError}
 * (status 400, empty body).
 */
export function processPath(id: string, suffix = ''): string {
  try {
    if (!/^\.{0,2}$/.test(id)) return `process/${encodeURIComponent(id)}${suffix}`;
  } catch {
    // URIError: a lone surrogate
  }
  throw new BadRequestError(400, '', `invalid process id '${id}'`, id);
}
