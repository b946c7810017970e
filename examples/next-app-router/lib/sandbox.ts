import 'server-only';
import { createClient } from '@sandproc/core';

/**
 * The sandbox's URL and token, from the server's environment. Never `NEXT_PUBLIC_*`: those are
 * inlined into the browser bundle. `server-only` makes importing this from a client component a
 * build error.
 */
export const SANDBOX_URL = (process.env.SANDPROC_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const SANDBOX_TOKEN = process.env.SANDPROC_TOKEN ?? '';

/** For Server Components and route handlers: one client for every request (it holds no request state). */
export const sandbox = createClient({ baseUrl: SANDBOX_URL, token: SANDBOX_TOKEN });
