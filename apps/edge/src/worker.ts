/**
 * An edge function in the Cloudflare Worker shape: POST `{ "command": "..." }`, the command runs
 * in the sandbox through `@sandproc/core`, and the answer is either the finished process as JSON
 * or, with `?stream=1` / `Accept: application/x-ndjson`, its output streamed line by line.
 *
 * Bindings (environment): `SANDBOX_URL` + `SANDBOX_TOKEN` (a sandproc server or any server of the
 * same API); see README.md.
 */
import { createSandboxClient, type EdgeEnv } from './sandbox-client.js';
import { runToCompletion, streamRun } from './run-command.js';
import { errorResponse, upstreamErrorResponse } from './responses.js';

export type { EdgeEnv } from './sandbox-client.js';

/** Largest request body accepted, in bytes. */
const MAX_BODY_BYTES = 64 * 1024;

interface CommandRequest {
  command: string;
}

async function readCommandRequest(request: Request): Promise<CommandRequest | Response> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) return errorResponse(413, `request body is larger than ${MAX_BODY_BYTES} bytes`);
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) return errorResponse(413, `request body is larger than ${MAX_BODY_BYTES} bytes`);
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

export default {
  async fetch(request: Request, env: EdgeEnv): Promise<Response> {
    if (request.method !== 'POST') {
      return errorResponse(405, 'use POST with a JSON body {"command": "..."}', { Allow: 'POST' });
    }
    const parsed = await readCommandRequest(request);
    if (parsed instanceof Response) return parsed;

    const client = createSandboxClient(env);
    if (client instanceof Response) return client;

    try {
      if (wantsStream(request, new URL(request.url))) {
        return await streamRun(client, parsed.command, request.signal);
      }
      return await runToCompletion(client, parsed.command, request.signal);
    } catch (error) {
      return upstreamErrorResponse(error);
    }
  },
};
