/**
 * The HTTP layer: one `ky` instance per client, and the mapping of every failure to a
 * {@link SandprocError} so that no `ky` error reaches users.
 */
import ky, { HTTPError, TimeoutError, type KyInstance, type Options } from 'ky';
import { httpErrorClass, type HttpError } from '../errors/http-errors.js';
import { isSandprocError } from '../errors/sandproc-error.js';
import { NetworkError, RequestTimeoutError } from '../errors/transport-errors.js';
import type { ClientOptions, RetryOptions } from './client-options.js';
import { backoffDelay } from './sleep.js';

/** Options of one request. */
export interface SendOptions {
  method?: 'get' | 'post' | 'delete';
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  searchParams?: Record<string, string | number>;
  signal?: AbortSignal | undefined;
  /** `0`: no retry for this request even if its method is idempotent. */
  retry?: 0;
  /** `false`: no header timeout (the server holds the answer on purpose). */
  timeout?: false;
}

/** Builds the error for a non-2xx response from its status and the server's `{"error": ...}` body. */
export async function errorFromResponse(response: Response, processId = ''): Promise<HttpError> {
  const body = await response.text().catch(() => '');
  let message = body || `HTTP ${response.status}`;
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === 'string') message = parsed.error;
  } catch {
    // not JSON: keep the text
  }
  const ErrorClass = httpErrorClass(response.status);
  return new ErrorClass(response.status, body, message, processId, Number(response.headers.get('retry-after')) * 1000 || undefined);
}

/** The HTTP layer of a client. */
export class Transport {
  readonly baseUrl: string;
  readonly #ky: KyInstance;
  readonly #timeoutMs: number;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = options.requestTimeoutMs ?? 30_000;
    const retry: RetryOptions = options.retry === false ? { limit: 0 } : (options.retry ?? {});
    const maxDelayMs = retry.maxDelayMs ?? 5000;
    this.#ky = ky.create({
      prefixUrl: this.baseUrl,
      headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
      timeout: this.#timeoutMs,
      fetch: options.fetch, // ky falls back to globalThis.fetch
      retry: {
        limit: retry.limit ?? 2,
        // ky's default methods: GET, DELETE and the other idempotent ones, never POST.
        statusCodes: [502, 503, 504],
        // A server's Retry-After (503) is honoured, but never beyond one delay or one request's bound.
        maxRetryAfter: Math.min(maxDelayMs, this.#timeoutMs),
        delay: (attempt) => backoffDelay(attempt, retry.initialDelayMs ?? 300, maxDelayMs), // ≤ maxDelayMs
      },
    });
  }

  /** Sends a request; resolves with a 2xx response, rejects with a {@link SandprocError} or the abort reason. */
  async send(path: string, options: SendOptions = {}): Promise<Response> {
    try {
      return await this.#ky(path, options as Options);
    } catch (error) {
      // `process/{id}/...`: the id a NotFoundError names.
      throw await this.toError(error, options.signal, decodeURIComponent(path.split('/')[1] ?? ''));
    }
  }

  /** Sends a request and parses its JSON body. */
  async json<T>(path: string, options?: SendOptions): Promise<T> {
    const response = await this.send(path, options);
    return response.json().catch(async (error: unknown) => {
      throw await this.toError(error, options?.signal);
    }) as Promise<T>;
  }

  /** Maps anything thrown by `ky`/`fetch` to a {@link SandprocError}, or the abort reason if `signal` aborted. */
  async toError(error: unknown, signal?: AbortSignal, processId?: string): Promise<unknown> {
    if (signal?.aborted) return signal.reason;
    if (isSandprocError(error)) return error;
    if (error instanceof HTTPError) return errorFromResponse(error.response, processId);
    if (error instanceof TimeoutError) return new RequestTimeoutError(this.#timeoutMs);
    return new NetworkError(`${this.baseUrl}: ${(error as Error)?.message}`, { cause: error });
  }
}
