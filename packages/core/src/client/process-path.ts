import { BadRequestError } from '../errors/http-errors.js';

/**
 * The path of a process endpoint. `''`, `.` and `..` survive `encodeURIComponent` and would be
 * normalized away by URL resolution (`process/..` is the root), so they are refused before any
 * request with a {@link BadRequestError} (status 400, empty body).
 */
export function processPath(id: string, suffix = ''): string {
  if (/^\.{0,2}$/.test(id)) throw new BadRequestError(400, '', `invalid process id '${id}'`, id);
  return `process/${encodeURIComponent(id)}${suffix}`;
}
