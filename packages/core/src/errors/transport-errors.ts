/**
 * Errors of the connection itself rather than of the server's answer.
 */
import type { ProcessInfo } from '../types.js';
import { SandprocError, guardFor, type SandprocErrorOptions } from './sandproc-error.js';

/** Thrown when the server could not be reached or the connection failed (after retries, for reads). */
export class NetworkError extends SandprocError {
  constructor(options: SandprocErrorOptions) {
    super('network', options);
  }
}

/** What a {@link RequestTimeoutError} is built from. */
export interface RequestTimeoutErrorOptions {
  /** The bound that was exceeded, in milliseconds. */
  timeoutMs: number;
}

/** Thrown when no response headers arrived within `requestTimeoutMs`. */
export class RequestTimeoutError extends SandprocError {
  /** The bound that was exceeded, in milliseconds. */
  declare readonly timeoutMs: number;

  constructor(options: RequestTimeoutErrorOptions) {
    super('request-timeout', { ...options, message: `no response within ${options.timeoutMs} ms` });
  }
}

/** What a {@link StreamError} is built from. */
export interface StreamErrorOptions extends SandprocErrorOptions {
  /** The pid or name of the process whose output was streamed. */
  processId: string;
  /** The process as it was started, when `exec` started it (see `StreamError.process`). Default `undefined`. */
  process?: ProcessInfo | undefined;
}

/**
 * Thrown by log streams when the stream cannot go on (reconnect attempts are exhausted), when the
 * process ended before a `waitForLog` pattern matched, and by `exec` when it started the process
 * but could not follow it to its end (then `process` is set: do not run the `exec` again).
 */
export class StreamError extends SandprocError {
  /** The pid or name of the process whose output was streamed. */
  declare readonly processId: string;
  /**
   * Set by `exec` (with output callbacks or `waitForCompletion`) when the process **did start** and
   * following its output or reading its final state failed afterwards (`cause` says why): the
   * process as it was started. `undefined` otherwise.
   */
  declare readonly process: ProcessInfo | undefined;

  constructor(options: StreamErrorOptions) {
    super('stream', options);
  }
}

/** What an {@link ExecOutcomeUnknownError} is built from. */
export interface ExecOutcomeUnknownErrorOptions extends SandprocErrorOptions {
  /** The name the process was started with. */
  processName: string;
}

/**
 * Thrown by `exec` when the request failed in a way that leaves it unknown whether the process
 * started: the connection broke or timed out (`cause`) and looking the process up by its name
 * failed too, found nothing yet (the request may still be on its way), or found a process of that
 * name that may be another one (a different command or working directory, or started before the
 * request). Check with `get(processName)` later.
 */
export class ExecOutcomeUnknownError extends SandprocError {
  /** The name the process was started with. */
  declare readonly processName: string;

  constructor(options: ExecOutcomeUnknownErrorOptions) {
    super('exec-outcome-unknown', options);
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
