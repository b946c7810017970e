import {
  isHttpError,
  isNetworkError,
  isNotFoundError,
  isRequestTimeoutError,
  isUnauthorizedError,
} from '@sandproc/core';

/** What the UI needs to know about a failed request. */
export type ErrorCategory = 'unreachable' | 'unauthorized' | 'not-found' | 'other';

/**
 * Sorts an error from the client into the states the demo shows. "Unreachable" covers both a
 * sandbox reached directly that does not answer (a network error or timeout) and the demo
 * server's proxy answering 502/503/504 because the sandbox behind it is down.
 */
export function categorize(error: unknown): ErrorCategory | null {
  if (error === undefined || error === null) return null;
  if (isNetworkError(error) || isRequestTimeoutError(error)) return 'unreachable';
  if (isUnauthorizedError(error)) return 'unauthorized';
  if (isNotFoundError(error)) return 'not-found';
  if (isHttpError(error) && (error.status === 502 || error.status === 503 || error.status === 504))
    return 'unreachable';
  return 'other';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
