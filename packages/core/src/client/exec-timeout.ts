/**
 * The bound of an `exec` request's `timeout`, checked before any request.
 */
import { refuseArgument } from '../errors/invalid-argument-error.js';
import { LONGEST_TIMER_MS } from '../shared/timer-limit.js';

/**
 * The largest `timeout` of an `exec`, in seconds: 2,147,483 (about 24.8 days), the longest
 * whole-second delay `setTimeout` holds. The client's own timer (when it follows the output) and
 * our server's would fire at once past it; the real server holds up to 9,223,372,036 s (its
 * nanoseconds overflow an int64 past that, and it times out at once).
 */
export const MAX_EXEC_TIMEOUT_SECONDS = Math.floor(LONGEST_TIMER_MS / 1000);

/**
 * @throws InvalidArgumentError unless `timeout` is absent or a whole number of seconds from 0 to
 *   {@link MAX_EXEC_TIMEOUT_SECONDS}.
 */
export function checkExecTimeout(timeout: number | undefined): void {
  if (timeout === undefined || (Number.isInteger(timeout) && timeout >= 0 && timeout <= MAX_EXEC_TIMEOUT_SECONDS))
    return;
  refuseArgument('timeout', `a whole number of seconds from 0 (no bound) to ${MAX_EXEC_TIMEOUT_SECONDS}`, timeout);
}
