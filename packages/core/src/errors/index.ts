export { SandprocError, isSandprocError } from './sandproc-error.js';
export type { SandprocErrorKind, SandprocErrorOptions } from './sandproc-error.js';
export type { HttpErrorOptions } from './http-errors.js';
export type {
  RequestTimeoutErrorOptions,
  StreamErrorOptions,
  ExecOutcomeUnknownErrorOptions,
} from './transport-errors.js';
export type { WaitTimeoutErrorOptions } from './wait-timeout-error.js';
export type { InvalidArgumentErrorOptions } from './invalid-argument-error.js';
export {
  HttpError,
  NotFoundError,
  BadRequestError,
  UnprocessableError,
  UnauthorizedError,
  isHttpError,
  isNotFoundError,
  isBadRequestError,
  isUnprocessableError,
  isUnauthorizedError,
} from './http-errors.js';
export {
  NetworkError,
  RequestTimeoutError,
  StreamError,
  ExecOutcomeUnknownError,
  isNetworkError,
  isRequestTimeoutError,
  isStreamError,
  isExecOutcomeUnknownError,
} from './transport-errors.js';
export { WaitTimeoutError, isWaitTimeoutError } from './wait-timeout-error.js';
export { InvalidArgumentError, isInvalidArgumentError } from './invalid-argument-error.js';
export { isRetryable } from './is-retryable.js';
