import type { ProcessInfo } from '../types.js';
import { SandprocError, guardFor } from './sandproc-error.js';

/** What a {@link WaitTimeoutError} is built from. */
export interface WaitTimeoutErrorOptions {
  /** The pid or name that was waited for. */
  processId: string;
  /** The last state seen. Default `null` (none seen, e.g. `waitForLog`). */
  process?: ProcessInfo | null;
  /** The bound that passed, in milliseconds. */
  maxWaitMs: number;
}

/**
 * Thrown by `wait` (and `waitForLog`) when `maxWaitMs` passed and the process is still running.
 * The process is not stopped: `process` is its last known state.
 */
export class WaitTimeoutError extends SandprocError {
  /** The pid or name that was waited for. */
  declare readonly processId: string;
  /** The last state seen, still `running` (or `failed` with a restart pending). */
  declare readonly process: ProcessInfo | null;
  /** The bound that passed, in milliseconds. */
  declare readonly maxWaitMs: number;

  constructor(options: WaitTimeoutErrorOptions) {
    const { processId, maxWaitMs } = options;
    super('wait-timeout', {
      process: null,
      ...options,
      message: `process ${processId} still running after ${maxWaitMs} ms`,
    });
  }
}

/** True for {@link WaitTimeoutError}. */
export const isWaitTimeoutError = /* @__PURE__ */ guardFor<WaitTimeoutError>('wait-timeout');
