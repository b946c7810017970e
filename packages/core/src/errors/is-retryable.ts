/**
 * The one decision of which failures may pass when the same request is made again, asked by every
 * retry path: the transport's retries of reads, the log stream's reconnects, and `exec`'s lookup of
 * a process whose start request may have reached the server.
 */
import type { HttpError } from './http-errors.js';
import { isSandprocError } from './sandproc-error.js';

/** Answers that say "not now" rather than "no" (ky's list, without 413: a body too large stays too large). */
const retryableStatuses = [408, 429, 500, 502, 503, 504];

/**
 * True when trying again may succeed: the connection failed or broke (a `NetworkError`, or an error
 * from outside this package, such as a body cut while it was read), no answer came within
 * `requestTimeoutMs` (`RequestTimeoutError`), or the server answered 408, 429, 500, 502, 503 or 504.
 * False for every other error of this package (4xx answers, refusals before any request, timeouts
 * of `wait`, ...). Whether a request may be sent again at all (never a `POST` that starts a
 * process) and aborts are for the caller to check first.
 */
export function isRetryable(error: unknown): boolean {
  if (!isSandprocError(error)) return true;
  const { status } = error as HttpError;
  return status ? retryableStatuses.includes(status) : error.kind === 'network' || error.kind === 'request-timeout';
}
