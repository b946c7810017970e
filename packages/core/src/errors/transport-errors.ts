/**
 * Errors of the connection itself rather than of the server's answer.
 */
import { SandprocError, guardFor } from './sandproc-error.js';

/** Thrown when the server could not be reached or the connection failed (after retries, for reads). */
export class NetworkError extends SandprocError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('network', message, options);
  }
}

/** Thrown when no response headers arrived within `requestTimeoutMs`. */
export class RequestTimeoutError extends SandprocError {
  /** The bound that was exceeded, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super('request-timeout', `no response within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Thrown by log streams and streamed exec when the stream cannot go on: reconnect attempts are
 * exhausted, the keepalive watchdog fired too often, the body is malformed, or the process ended
 * before a `waitForLog` pattern matched.
 */
export class StreamError extends SandprocError {
  /** The pid or name of the process whose output was streamed. */
  readonly processId: string;

  constructor(processId: string, message: string, options?: { cause?: unknown }) {
    super('stream', message, options);
    this.processId = processId;
  }
}

/**
 * Thrown by `exec` when the request failed in a way that leaves it unknown whether the process
 * started (the connection broke and looking the process up by its name failed too, or found a
 * process of that name that may be an older one). Check with `get(processName)` later.
 */
export class ExecOutcomeUnknownError extends SandprocError {
  /** The name the process was started with. */
  readonly processName: string;

  constructor(processName: string, message: string, options?: { cause?: unknown }) {
    super('exec-outcome-unknown', message, options);
    this.processName = processName;
  }
}

/** True for {@link NetworkError}. */
export const isNetworkError = /* @__PURE__ */ guardFor<NetworkError>('network');
/** True for {@link RequestTimeoutError}. */
export const isRequestTimeoutError = /* @__PURE__ */ guardFor<RequestTimeoutError>('request-timeout');
/** True for {@link StreamError}. */
export const isStreamError = /* @__PURE__ */ guardFor<StreamError>('stream');
/** True for {@link ExecOutcomeUnknownError}. */
export const isExecOutcomeUnknownError = /* @__PURE__ */ guardFor<ExecOutcomeUnknownError>('exec-outcome-unknown');
