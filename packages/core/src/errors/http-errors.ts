/**
 * Errors for HTTP answers that are not a success. The server's own message (`{"error": "..."}`)
 * becomes the error's `message`; the raw body is kept in `body`.
 */
import { SandprocError, guardFor, type SandprocErrorKind } from './sandproc-error.js';

const kinds: Record<number, SandprocErrorKind> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'unauthorized',
  404: 'not-found',
  422: 'unprocessable',
};

/**
 * Thrown when the server answers with a status this package has no finer class for (e.g. 409 when
 * writing to a closed stdin, 413, 500), and after retries are exhausted for 502/503/504. The
 * subclasses below share its constructor; `kind` follows from the status.
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

  constructor(status: number, body: string, message: string, processId = '', retryAfterMs?: number) {
    super(kinds[status] ?? 'http', message);
    this.status = status;
    this.body = body;
    this.processId = processId;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Thrown on 404: no process has this pid or name (`processId`). */
export class NotFoundError extends HttpError {}

/** Thrown on 400: the request was refused (empty command, a name that is already running, ...). */
export class BadRequestError extends HttpError {}

/**
 * Thrown on 422: the process could not be started (e.g. missing working directory), or a wait the
 * server was asked to do (`waitForCompletion`/`waitForPorts` with `timeout`) timed out; in that case
 * the process keeps running.
 */
export class UnprocessableError extends HttpError {}

/** Thrown on 401 and 403: missing or wrong token / API key / preview token. */
export class UnauthorizedError extends HttpError {}

/** The class for a status: one of the subclasses above, else {@link HttpError}. */
export function httpErrorClass(status: number): typeof HttpError {
  return { 400: BadRequestError, 401: UnauthorizedError, 403: UnauthorizedError, 404: NotFoundError, 422: UnprocessableError }[status] ?? HttpError;
}

/** True for {@link HttpError} and all its subclasses. */
export const isHttpError = /* @__PURE__ */ guardFor<HttpError>('http', 'not-found', 'bad-request', 'unprocessable', 'unauthorized');
/** True for {@link NotFoundError}. */
export const isNotFoundError = /* @__PURE__ */ guardFor<NotFoundError>('not-found');
/** True for {@link BadRequestError}. */
export const isBadRequestError = /* @__PURE__ */ guardFor<BadRequestError>('bad-request');
/** True for {@link UnprocessableError}. */
export const isUnprocessableError = /* @__PURE__ */ guardFor<UnprocessableError>('unprocessable');
/** True for {@link UnauthorizedError}. */
export const isUnauthorizedError = /* @__PURE__ */ guardFor<UnauthorizedError>('unauthorized');
