import type { ProcessInfo } from '../types.js';
import { SandprocError, guardFor } from './sandproc-error.js';

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

  constructor(processId: string, process: ProcessInfo | null, maxWaitMs: number) {
    super('wait-timeout', `process ${processId} still running after ${maxWaitMs} ms`);
    this.processId = processId;
    this.process = process;
    this.maxWaitMs = maxWaitMs;
  }
}

/** True for {@link WaitTimeoutError}. */
export const isWaitTimeoutError = /* @__PURE__ */ guardFor<WaitTimeoutError>('wait-timeout');
