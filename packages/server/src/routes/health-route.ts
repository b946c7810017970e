import { sendJson } from '../http/respond.js';
import type { RouteHandler } from '../http/router.js';
import type { ServerContext } from './server-context.js';

/**
 * `GET /health`: `{"status": "ok", ...}` with the compatibility and containment modes (`'namespace'`,
 * `'isolated'` or `'process-group'`). Answered without a token (it reveals nothing secret).
 */
export function health(server: ServerContext): RouteHandler {
  const startedAt = Date.now();
  return ({ response }) => {
    sendJson(response, 200, {
      status: 'ok',
      server: 'sandproc',
      compatibility: server.options.compatibility,
      containment: server.options.containment,
      uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
    });
  };
}
