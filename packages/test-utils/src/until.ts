/** Options of {@link until}. */
export interface UntilOptions {
  /** Give up after this many milliseconds (generous: the machine may be loaded). Default 20000. */
  timeoutMs?: number;
  /** Milliseconds between two checks. Default 50. */
  intervalMs?: number;
  /** What is waited for, for the error message. */
  what?: string;
}

/**
 * Resolves once `condition` holds, checking it every `intervalMs`; rejects after `timeoutMs`.
 * The one way tests wait: for a condition, never for a fixed time. The options may also be
 * given as `(timeoutMs, intervalMs)`.
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  options: UntilOptions | number = {},
  intervalMsArgument?: number,
): Promise<void> {
  const {
    timeoutMs = 20_000,
    intervalMs = intervalMsArgument ?? 50,
    what = 'condition',
  } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
