/**
 * `AbortSignal.any`, with a fallback for runtimes that lack it (e.g. some edge runtimes): a signal
 * that aborts, with the same reason, as soon as one of `signals` does.
 */
export function anySignal(signals: AbortSignal[]): AbortSignal {
  if (AbortSignal.any) return AbortSignal.any(signals);
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) controller.abort(signal.reason);
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}
