/**
 * Checks the options of `createClient` (and `createBlaxelClient`) when the client is created, so a
 * mistake shows at once with a message that says what is wrong, rather than later as a network error.
 */
import type { ClientOptions } from './client-options.js';

function check(ok: unknown, expected: string, value: unknown): void {
  if (!ok)
    throw new TypeError(
      `@sandproc/core: ${expected}, got ${typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' ? value : typeof value}`,
    );
}

const isCount = (value: unknown) => value === undefined || (typeof value === 'number' && value >= 0);

/** @throws TypeError naming the first option that is wrong. */
export function checkClientOptions(options: ClientOptions): void {
  check(
    options && typeof options === 'object',
    'options must be an object such as { baseUrl: "http://127.0.0.1:8080" }',
    options,
  );
  const { baseUrl, token, headers, retry, requestTimeoutMs } = options;
  check(
    typeof baseUrl === 'string' && /^https?:\/\/[^/\s]/i.test(baseUrl),
    'baseUrl must be an http:// or https:// URL such as http://127.0.0.1:8080',
    baseUrl,
  );
  check(token === undefined || typeof token === 'string', 'token must be a string', token);
  check(headers === undefined || typeof headers === 'object', 'headers must be an object of strings', headers);
  check(
    typeof (options.fetch ?? globalThis.fetch) === 'function',
    'fetch must be a function (this runtime has no global fetch)',
    options.fetch,
  );
  check(
    retry === undefined || retry === false || typeof retry === 'object',
    'retry must be false or { limit, initialDelayMs, maxDelayMs }',
    retry,
  );
  if (retry)
    for (const key of ['limit', 'initialDelayMs', 'maxDelayMs'] as const)
      check(isCount(retry[key]), `retry.${key} must be a number ≥ 0`, retry[key]);
  check(
    isCount(requestTimeoutMs) && requestTimeoutMs !== 0,
    'requestTimeoutMs must be a number of milliseconds > 0',
    requestTimeoutMs,
  );
}
