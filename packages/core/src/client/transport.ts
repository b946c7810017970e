/**
 * The HTTP layer: `fetch` with a base URL, a bound on the wait for response headers, retries of
 * idempotent requests, conditional reads, and the mapping of every failure to a
 * {@link SandprocError}, so that no `fetch` error reaches users (except an abort's reason).
 */
import { HttpError, httpErrorClass } from '../errors/http-errors.js';
import { isRetryable } from '../errors/is-retryable.js';
import { isSandprocError } from '../errors/sandproc-error.js';
import { NetworkError, RequestTimeoutError } from '../errors/transport-errors.js';
import type { ClientOptions } from './client-options.js';
import { checkClientOptions } from './client-options-check.js';
import { backoffDelay, sleep } from '../shared/sleep.js';
import { LONGEST_TIMER_MS } from '../shared/timer-limit.js';

/** Options of one request. */
export interface SendOptions {
  method?: 'get' | 'post' | 'delete';
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
  /** `0`: no retry for this request even if its method is idempotent. */
  retry?: 0;
  /** `false`: no header timeout (the server holds the answer on purpose). */
  timeout?: false;
}

/**
 * Builds the error for a non-2xx response from its status and the server's `{"error": ...}` body. A
 * body that is not the API's JSON (a proxy's HTML page) is shortened in the message, which names the URL.
 */
export async function errorFromResponse(response: Response, url: string, processId = ''): Promise<HttpError> {
  const body = await response.text().catch(() => '');
  let message = body || `HTTP ${response.status}`;
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === 'string') message = parsed.error;
  } catch {
    // not JSON: the text, without markup, at most 200 characters
    if (/<[a-z!]/i.test(body) || body.length > 200)
      message = `HTTP ${response.status} from ${url}: ${body
        .replace(/(<[^>]*>|\s)+/g, ' ')
        .trim()
        .slice(0, 200)}`;
  }
  // `GET /process` and `POST /process` exist on every server of this API: a 404 there is the wrong place.
  if (response.status === 404 && !processId) message += ` (${url}: no process API here; is the base URL right?)`;
  const ErrorClass = httpErrorClass(response.status);
  const { status, headers } = response;
  return new ErrorClass({
    status,
    body,
    message,
    processId,
    retryAfterMs: Number(headers.get('retry-after')) * 1000 || undefined,
  });
}

/** The id a request of `process/{id}/...` is about (what a `NotFoundError` names). */
const processIdOf = (path: string) => decodeURIComponent(path.split(/[/?]/)[1] ?? '');

/** Paths whose last `ETag` and value a client keeps (see `Transport.fresh`). */
const cachedPaths = 64;

/**
 * True when `error` (or one of its causes) is a refused connection: Node's `ECONNREFUSED`, Bun's
 * `ConnectionRefused`, Deno's "Connection refused". Nothing was sent then.
 */
export function isConnectionRefused(error: unknown): boolean {
  for (let depth = 0; error && depth < 4; depth++, error = (error as Error).cause) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (/ECONNREFUSED|ConnectionRefused|connection refused/i.test(`${code} ${message}`)) return true;
  }
  return false;
}

/** The HTTP layer of a client. */
export class Transport {
  declare readonly baseUrl: string;
  readonly #options: ClientOptions;
  readonly #timeoutMs: number;
  readonly #cache = new Map<string, [etag: string, value: unknown]>();

  constructor(options: ClientOptions) {
    checkClientOptions(options);
    this.#options = options;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  /**
   * Sends a request; resolves with a 2xx response (or a 304 to a conditional request), rejects with
   * a {@link SandprocError} or the abort reason. GET and DELETE are retried when {@link isRetryable}
   * says so (network errors, request timeouts, 408, 429, 500, 502, 503, 504; never POST: `exec`,
   * `writeStdin`), with exponential backoff; a `Retry-After` (in
   * seconds) replaces the backoff, but no delay exceeds `maxDelayMs` nor the request timeout.
   */
  async send(path: string, options?: SendOptions): Promise<Response>;
  async send<T>(path: string, options: SendOptions, read: (response: Response) => Promise<T>): Promise<T>;
  async send(path: string, options: SendOptions = {}, read?: (response: Response) => Promise<unknown>) {
    const retry = this.#options.retry;
    const { limit = 2, initialDelayMs = 300, maxDelayMs = 5000 } = retry === false ? { limit: 0 } : (retry ?? {});
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt(path, options, read);
      } catch (error) {
        if (
          options.signal?.aborted ||
          !isRetryable(error) ||
          options.method === 'post' ||
          options.retry === 0 ||
          attempt > limit
        )
          throw error;
        const delayMs = (error as HttpError).retryAfterMs ?? backoffDelay(attempt, initialDelayMs, maxDelayMs);
        await sleep(Math.min(delayMs, maxDelayMs, this.#timeoutMs), options.signal);
      }
    }
  }

  /**
   * One request. With `read`, the body is read by it within the same bound and abort as the
   * headers, and the caller's signal is let go of afterwards; without, the response is handed over
   * with the signal still linked (it also cancels the body: a log stream's own connection signal).
   */
  async #attempt(
    path: string,
    { method = 'get', json, body, headers, signal, timeout }: SendOptions,
    read?: (response: Response) => Promise<unknown>,
  ): Promise<unknown> {
    const { token, fetch = globalThis.fetch } = this.#options;
    const controller = new AbortController();
    const abort = () => controller.abort(signal?.reason);
    if (signal?.aborted) abort();
    signal?.addEventListener('abort', abort, { once: true });
    let timedOut = false;
    // No timer for a bound beyond what setTimeout can count (`Infinity`: it would fire at once).
    const timer =
      timeout === false || !(this.#timeoutMs <= LONGEST_TIMER_MS)
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, this.#timeoutMs);
    try {
      const response = await fetch(`${this.baseUrl}/${path}`, {
        method: method.toUpperCase(),
        headers: {
          ...(token && { authorization: `Bearer ${token}` }),
          ...(json !== undefined && { 'content-type': 'application/json' }),
          ...this.#options.headers,
          ...headers,
        },
        body: json === undefined ? body : JSON.stringify(json),
        signal: controller.signal,
      });
      if (!response.ok && response.status !== 304)
        throw await errorFromResponse(response, `${this.baseUrl}/${path}`, processIdOf(path));
      if (!read) {
        // The caller reads the body: the abort listener stays (`finally` skips it).
        signal = undefined;
        return response;
      }
      return await read(response);
    } catch (error) {
      throw timedOut ? new RequestTimeoutError({ timeoutMs: this.#timeoutMs }) : this.toError(error, signal, path);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
    }
  }

  /**
   * Reads a JSON answer (a `304` to a conditional request: `notModified`) through `parse`. A
   * body that is not JSON, or that `parse` refuses (throws), is an `HttpError` with the answer's
   * status that names the URL: a server that is not the process API (a web app's page).
   */
  #readJson<T>(
    path: string,
    options: SendOptions,
    parse: (body: never, response: Response) => T,
    notModified?: () => T,
  ): Promise<T> {
    return this.send(path, options, async (response) => {
      if (response.status === 304 && notModified) return notModified();
      const text = await response.text();
      try {
        return parse(JSON.parse(text) as never, response);
      } catch {
        const { status, headers } = response;
        throw new HttpError({
          status,
          body: text,
          processId: processIdOf(path),
          message: `${this.baseUrl}/${path} answered ${status} (${headers.get('content-type')}), not as the process API does: ${JSON.stringify(text.slice(0, 80))} (is the base URL right?)`,
        });
      }
    });
  }

  /**
   * `GET path`, parsed by `parse`; when the server sent an `ETag` for it, the next request asks
   * `If-None-Match` and a `304 Not Modified` returns the value parsed before (the same object).
   * Without `ETag`s nothing is kept. At most {@link cachedPaths} paths are kept, the least recently used dropped.
   */
  async fresh<T>(path: string, signal: AbortSignal | undefined, parse: (body: never) => T): Promise<T> {
    const cache = this.#cache;
    const cached = cache.get(path);
    let etag = cached?.[0];
    const value = await this.#readJson(
      path,
      { signal, headers: cached && { 'if-none-match': cached[0] } },
      (body, response) => {
        etag = response.headers.get('etag') ?? etag;
        return parse(body);
      },
      cached && (() => cached[1] as T),
    );
    cache.delete(path);
    if (etag) cache.set(path, [etag, value]);
    if (cache.size > cachedPaths) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    return value;
  }

  /** Sends a request and parses its JSON body (see `#readJson`), with `parse` if given. */
  json<T>(
    path: string,
    options: SendOptions = {},
    parse: (body: never, response: Response) => T = (body) => body,
  ): Promise<T> {
    return this.#readJson(path, options, parse);
  }

  /** Sends a request whose answer's body is not needed (it is read, so the connection is free again). */
  async discard(path: string, options: SendOptions): Promise<void> {
    await this.send(path, options, (response) => response.arrayBuffer());
  }

  /**
   * Maps anything thrown by `fetch` to a {@link SandprocError}, or the abort reason if `signal`
   * aborted. A network error names the URL, and says why when it can: a refused connection (the
   * request was not sent), or in a browser page the two likely causes of a bare "failed to fetch".
   */
  toError(error: unknown, signal?: AbortSignal, path = ''): unknown {
    if (signal?.aborted) return signal.reason;
    if (isSandprocError(error)) return error;
    const url = `${this.baseUrl}/${path}`;
    // The root cause says what happened (Node: "fetch failed" ← "other side closed", "ECONNRESET").
    let root = error as Error | undefined;
    while (root?.cause instanceof Error) root = root.cause;
    const origin = typeof document === 'object' && error instanceof TypeError && globalThis.location?.origin;
    const message = isConnectionRefused(error)
      ? `${url}: connection refused, nothing was sent or started (is the server running?)`
      : origin
        ? `${url} is unreachable from ${origin}: the server is down, or does not allow this origin (CORS, e.g. --cors-origin ${origin})`
        : `${url}: ${(error as Error)?.message}${root !== error ? ` (${root?.message})` : ''}`;
    return new NetworkError({ message, cause: error });
  }
}
