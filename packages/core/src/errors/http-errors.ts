/**
 * Errors for HTTP answers that are not a success. The server's own message (`{"error": "..."}`)
 * becomes the error's `message`; the raw body is kept in `body`.
 */
import { SandprocError, guardFor, type SandprocErrorOptions } from './sandproc-error.js';

/** What an {@link HttpError} (or a subclass) is built from. */
export interface HttpErrorOptions extends SandprocErrorOptions {
  /** The HTTP status code. */
  status: number;
  /** The response body as text. Default `""`. */
  body?: string;
  /** The pid or name the request was about. Default `""`. */
  processId?: string;
  /** The answer's `Retry-After`, in milliseconds. Default `undefined`. */
  retryAfterMs?: number | undefined;
}

/**
 * Thrown when the server answers with a status this package has no finer class for (e.g. 409 when
 * writing to a closed stdin, 413, 500), and after retries are exhausted for the retryable ones
 * (see `isRetryable`). The subclasses below share its options; each has its own `kind`.
 */
export class HttpError extends SandprocError {
  /** The HTTP status code. */
  declare readonly status: number;
  /** The response body as text (`""` if it could not be read). */
  declare readonly body: string;
  /** The pid or name the request was about (`""` when none). */
  declare readonly processId: string;
  /** The answer's `Retry-After` (a number of seconds), in milliseconds; `undefined` when absent, `0` or a date. */
  declare readonly retryAfterMs: number | undefined;

  constructor(options: HttpErrorOptions) {
    super('http', { body: '', processId: '', ...options });
  }
}

/** Thrown on 404: no process has this pid or name (`processId`), or the process watched is gone. */
export class NotFoundError extends HttpError {
  override readonly kind = 'not-found';
}

/** Thrown on 400: the server refused the request (empty command, a name that is already running, ...). */
export class BadRequestError extends HttpError {
  override readonly kind = 'bad-request';
}

/**
 * Thrown on 422: the process could not be started (e.g. missing working directory), or a wait the
 * server was asked to do (`waitForCompletion`/`waitForPorts` with `timeout`) timed out; in that case
 * the process keeps running.
 */
export class UnprocessableError extends HttpError {
  override readonly kind = 'unprocessable';
}

/** Thrown on 401 and 403: missing or wrong token / API key / preview token. */
export class UnauthorizedError extends HttpError {
  override readonly kind = 'unauthorized';
}

/** The one map from a status to its class; any other status is a plain {@link HttpError}. */
const statusClasses: Record<number, new (options: HttpErrorOptions) => HttpError> = {
  400: BadRequestError,
  401: UnauthorizedError,
  403: UnauthorizedError,
  404: NotFoundError,
  422: UnprocessableError,
};

/** The class for a status: one of the subclasses above, else {@link HttpError}. */
export function httpErrorClass(status: number): new (options: HttpErrorOptions) => HttpError {
  return statusClasses[status] ?? HttpError;
}

/** True for {@link HttpError} and all its subclasses. */
export const isHttpError = /* @__PURE__ */ guardFor<HttpError>(
  'http',
  'not-found',
  'bad-request',
  'unprocessable',
  'unauthorized',
);
/** True for {@link NotFoundError}. */
export const isNotFoundError = /* @__PURE__ */ guardFor<NotFoundError>('not-found');
/** True for {@link BadRequestError}. */
export const isBadRequestError = /* @__PURE__ */ guardFor<BadRequestError>('bad-request');
/** True for {@link UnprocessableError}. */
export const isUnprocessableError = /* @__PURE__ */ guardFor<UnprocessableError>('unprocessable');
/** True for {@link UnauthorizedError}. */
export const isUnauthorizedError = /* @__PURE__ */ guardFor<UnauthorizedError>('unauthorized');
