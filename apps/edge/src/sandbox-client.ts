/** Builds the sandbox client from the worker's bindings. */
import { createBlaxelClient, createClient, type SandprocClient } from '@sandproc/core';
import { errorResponse } from './responses.js';

/** The worker's environment bindings (wrangler `vars`/secrets, or miniflare `bindings`). */
export interface EdgeEnv {
  /**
   * Base URL of the sandbox process API: a local `sandproc-server` (`http://127.0.0.1:8080`), or a
   * Blaxel sandbox's URL (then with `BL_WORKSPACE`/`BL_API_KEY`).
   */
  SANDBOX_URL?: string;
  /** Bearer token of a sandproc server (a secret: `wrangler secret put SANDBOX_TOKEN`). */
  SANDBOX_TOKEN?: string;
  /** Blaxel workspace; with `BL_API_KEY`, the worker talks to a Blaxel sandbox. */
  BL_WORKSPACE?: string;
  /** Blaxel API key (a secret). */
  BL_API_KEY?: string;
  /** Name of the Blaxel sandbox, when `SANDBOX_URL` is not given. */
  BL_SANDBOX_NAME?: string;
  /** How long the JSON mode waits for a command, in milliseconds (a number as text). Default `50000`. */
  MAX_WAIT_MS?: string;
  /** Period of `{"type": "keepalive"}` lines in the streamed mode, in milliseconds (a number as text). Default `15000`. */
  KEEPALIVE_INTERVAL_MS?: string;
}

export type SandboxClient = SandprocClient;

/** The client, or a 500 answer saying which binding is missing. */
export function createSandboxClient(env: EdgeEnv): SandboxClient | Response {
  if (env.BL_API_KEY || env.BL_WORKSPACE) {
    if (!env.BL_API_KEY || !env.BL_WORKSPACE) {
      return errorResponse(500, 'the edge function is not configured: set both BL_WORKSPACE and BL_API_KEY');
    }
    if (!env.SANDBOX_URL && !env.BL_SANDBOX_NAME) {
      return errorResponse(500, 'the edge function is not configured: set BL_SANDBOX_NAME (or SANDBOX_URL)');
    }
    return createBlaxelClient({
      workspace: env.BL_WORKSPACE,
      apiKey: env.BL_API_KEY,
      sandbox: env.BL_SANDBOX_NAME ?? '',
      ...(env.SANDBOX_URL ? { url: env.SANDBOX_URL } : {}),
    });
  }
  if (env.SANDBOX_URL) {
    return createClient({ baseUrl: env.SANDBOX_URL, token: env.SANDBOX_TOKEN || undefined });
  }
  return errorResponse(500, 'the edge function is not configured: set the SANDBOX_URL binding (and SANDBOX_TOKEN)');
}
