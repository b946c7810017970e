import { sendJson } from '../http/respond.js';
import type { RouteHandler } from '../http/router.js';
import type { ServerContext } from './server-context.js';

/** `GET /health`: `{"status": "ok", ...}`. Answered without a token (it reveals nothing). */
export function health(server: ServerContext): RouteHandler {
  const startedAt = Date.now();
  return ({ response }) => {
    sendJson(response, 200, {
      status: 'ok',
      server: 'sandproc',
      compatibility: server.options.compatibility,
      uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
    });
  };
}
