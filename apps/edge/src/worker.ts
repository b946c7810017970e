/**
 * An edge function in the Cloudflare Worker shape: POST `{ "command": "..." }`, the command runs
 * in the sandbox through `@sandproc/core`, and the answer is either the finished process as JSON
 * or, with `?stream=1` / `Accept: application/x-ndjson`, its output streamed line by line.
 *
 * Bindings (environment): `SANDBOX_URL` + `SANDBOX_TOKEN` (a sandproc server or any server of the
 * same API); see README.md.
 */
import { createSandboxClient, type EdgeEnv } from './sandbox-client.js';
import { KEEPALIVE_INTERVAL_MS, MAX_WAIT_MS, runToCompletion, streamRun } from './run-command.js';
import { BODY_TOO_LARGE, readBodyText } from './read-body.js';
import { errorResponse, upstreamErrorResponse } from './responses.js';

export type { EdgeEnv } from './sandbox-client.js';

/** Largest request body accepted, in bytes (UTF-8 bytes as received, not characters). */
const MAX_BODY_BYTES = 64 * 1024;

interface CommandRequest {
  command: string;
}

async function readCommandRequest(request: Request): Promise<CommandRequest | Response> {
  const text = await readBodyText(request, MAX_BODY_BYTES);
  if (text === BODY_TOO_LARGE) return errorResponse(413, `request body is larger than ${MAX_BODY_BYTES} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return errorResponse(400, 'request body must be JSON, e.g. {"command": "echo hello"}');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return errorResponse(400, 'request body must be a JSON object, e.g. {"command": "echo hello"}');
  }
  const { command } = body as { command?: unknown };
  if (typeof command !== 'string' || command.trim() === '') {
    return errorResponse(400, '"command" must be a non-empty string');
  }
  return { command };
}

function wantsStream(request: Request, url: URL): boolean {
  const flag = url.searchParams.get('stream');
  if (flag !== null && flag !== '0' && flag !== 'false') return true;
  return (request.headers.get('accept') ?? '').includes('application/x-ndjson');
}

/** The part of the Worker's `ExecutionContext` (third argument of `fetch`) the function uses. */
export interface EdgeContext {
  /** Keeps the isolate alive for background work after the response (here: killing an abandoned process). */
  waitUntil(promise: Promise<unknown>): void;
}

/** A binding that holds a positive number (as text), else `fallback`. */
function positiveNumber(binding: string | undefined, fallback: number): number {
  const value = Number(binding); // NaN when unset
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

export default {
  async fetch(request: Request, env: EdgeEnv, context?: EdgeContext): Promise<Response> {
    if (request.method !== 'POST') {
      return errorResponse(405, 'use POST with a JSON body {"command": "..."}', { Allow: 'POST' });
    }
    const parsed = await readCommandRequest(request);
    if (parsed instanceof Response) return parsed;

    const client = createSandboxClient(env);
    if (client instanceof Response) return client;

    const options = {
      signal: request.signal,
      // The JSON mode's wait bound and the streamed mode's keepalive period (50 s and 15 s by default).
      maxWaitMs: positiveNumber(env.MAX_WAIT_MS, MAX_WAIT_MS),
      keepaliveIntervalMs: positiveNumber(env.KEEPALIVE_INTERVAL_MS, KEEPALIVE_INTERVAL_MS),
      waitUntil: context ? (promise: Promise<unknown>) => context.waitUntil(promise) : undefined,
    };
    try {
      if (wantsStream(request, new URL(request.url))) {
        return await streamRun(client, parsed.command, options);
      }
      return await runToCompletion(client, parsed.command, options);
    } catch (error) {
      return upstreamErrorResponse(error);
    }
  },
};
