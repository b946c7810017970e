/**
 * Errors for HTTP answers that are not a success. The server's own message (`{"error": "..."}`)
 * becomes the error's `message`; the raw body is kept in `body`.
 */
import { SandprocError, guardFor, type SandprocErrorKind } from './sandproc-error.js';

/**
 * Thrown when the server answers with a status this package has no finer class for (e.g. 409 when
 * writing to a closed stdin, 413, 500), and after retries are exhausted for 502/503/504.
 */
export class HttpError extends SandprocError {
  /** The HTTP status code. */
  readonly status: number;
  /** The response body as text (`""` if it could not be read). */
  readonly body: string;

  constructor(status: number, body: string, message: string, kind: SandprocErrorKind = 'http') {
    super(kind, message);
    this.status = status;
    this.body = body;
  }
}

/** Thrown on 404: no process has this pid or name (or, for stop/kill, the server no longer knows it). */
export class NotFoundError extends HttpError {
  /** The pid or name that was asked for. */
  readonly processId: string;

  constructor(processId: string, body: string, message = `process ${processId} not found`) {
    super(404, body, message, 'not-found');
    this.processId = processId;
  }
}

/** Thrown on 400: the request was refused (empty command, a name that is already running, ...). */
export class BadRequestError extends HttpError {
  constructor(body: string, message: string) {
    super(400, body, message, 'bad-request');
  }
}

/**
 * Thrown on 422: the process could not be started (e.g. missing working directory), or a wait the
 * server was asked to do (`waitForCompletion`/`waitForPorts` with `timeout`) timed out; in that case
 * the process keeps running.
 */
export class UnprocessableError extends HttpError {
  constructor(body: string, message: string) {
    super(422, body, message, 'unprocessable');
  }
}

/** Thrown on 401 and 403: missing or wrong token / API key / preview token. */
export class UnauthorizedError extends HttpError {
  constructor(status: number, body: string, message: string) {
    super(status, body, message, 'unauthorized');
  }
}

/** True for {@link HttpError} and all its subclasses. */
export const isHttpError = guardFor<HttpError>('http', 'not-found', 'bad-request', 'unprocessable', 'unauthorized');
/** True for {@link NotFoundError}. */
export const isNotFoundError = guardFor<NotFoundError>('not-found');
/** True for {@link BadRequestError}. */
export const isBadRequestError = guardFor<BadRequestError>('bad-request');
/** True for {@link UnprocessableError}. */
export const isUnprocessableError = guardFor<UnprocessableError>('unprocessable');
/** True for {@link UnauthorizedError}. */
export const isUnauthorizedError = guardFor<UnauthorizedError>('unauthorized');
