/** Builds the sandbox client from the worker's bindings. */
import { createClient } from '@sandproc/core';
import { errorResponse } from './responses.js';

/** The worker's environment bindings (wrangler `vars`/secrets, or miniflare `bindings`). */
export interface EdgeEnv {
  /** Base URL of the sandbox API, e.g. `http://127.0.0.1:8080` for a local `sandproc-server`. */
  SANDBOX_URL?: string;
  /** Bearer token of the sandbox API (a secret: `wrangler secret put SANDBOX_TOKEN`). */
  SANDBOX_TOKEN?: string;
}

export type SandboxClient = ReturnType<typeof createClient>;

/** The client, or a 500 answer saying which binding is missing. */
export function createSandboxClient(env: EdgeEnv): SandboxClient | Response {
  if (env.SANDBOX_URL) {
    return createClient({ baseUrl: env.SANDBOX_URL, token: env.SANDBOX_TOKEN || undefined });
  }
  return errorResponse(500, 'the edge function is not configured: set the SANDBOX_URL binding (and SANDBOX_TOKEN)');
}
