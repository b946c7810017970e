/** Resolves after `ms` milliseconds; rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Exponential backoff with full jitter: a random delay in [base/2, base] where
 * base = min(`maxDelayMs`, `initialDelayMs` × 2^(attempt − 1)). `attempt` starts at 1 (not less).
 */
export function backoffDelay(attempt: number, initialDelayMs: number, maxDelayMs: number): number {
  const base = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
  return (base * (1 + Math.random())) / 2;
}
