/**
 * `AbortSignal.any`, with a fallback for runtimes that lack it (e.g. some edge runtimes): a signal
 * that aborts, with the same reason, as soon as one of `signals` does, and a cleanup that removes
 * the fallback's listeners from `signals` (call it when done, or long-lived signals accumulate them).
 */
export function anySignal(signals: AbortSignal[]): [signal: AbortSignal, cleanup: () => void] {
  if (AbortSignal.any) return [AbortSignal.any(signals), () => {}];
  const controller = new AbortController();
  const abort = () => controller.abort(signals.find((signal) => signal.aborted)?.reason);
  for (const signal of signals) {
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
  }
  const cleanup = () => {
    for (const signal of signals) signal.removeEventListener('abort', abort);
  };
  return [controller.signal, cleanup];
}
