export { SandprocError, isSandprocError } from './sandproc-error.js';
export type { SandprocErrorKind } from './sandproc-error.js';
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
