/** Options of {@link createClient} and the per-call options shared by every method. */

/** Retry policy for idempotent requests (GET and DELETE). `exec` and `writeStdin` are never retried blindly. */
export interface RetryOptions {
  /** Retries after the first attempt. Default `2`. */
  limit?: number | undefined;
  /** Delay before the first retry, in milliseconds; doubles each retry, with jitter. Default `300`. */
  initialDelayMs?: number | undefined;
  /** Upper bound of one delay, in milliseconds. Default `5000`. */
  maxDelayMs?: number | undefined;
}

/** Options of {@link createClient}. */
export interface ClientOptions {
  /**
   * Where the sandbox process API lives: the local server (`http://127.0.0.1:8080`) or a sandbox
   * URL (`https://run.blaxel.ai/{workspace}/sandboxes/{name}`). Paths are appended to it.
   */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>`. Default: none. */
  token?: string | undefined;
  /** Extra headers sent with every request (e.g. Blaxel's `x-blaxel-authorization`). Default: none. */
  headers?: Record<string, string> | undefined;
  /** The `fetch` to use (edge runtimes, tests, instrumentation). Default: `globalThis.fetch`. */
  fetch?: typeof fetch | undefined;
  /** Retries of idempotent requests when `isRetryable` says so (network errors, request timeouts, 408, 429, 500, 502–504); `false` turns them off. Default `{ limit: 2 }`. */
  retry?: RetryOptions | false | undefined;
  /**
   * How long to wait for the response headers of one request (and the whole body of a JSON
   * answer), in milliseconds; streams are not bounded once their headers arrived. `Infinity` (or
   * anything from 2^31 ms): no bound. Default `30000`.
   */
  requestTimeoutMs?: number | undefined;
}

/** Options every call accepts. */
export interface CallOptions {
  /** Cancels the call; it then rejects with the signal's reason (an `AbortError` by default). */
  signal?: AbortSignal | undefined;
}
