import type { IncomingMessage } from 'node:http';

/**
 * Cross-site request forgery check: a request that carries an `Origin` header is accepted only if
 * that origin is one of the configured CORS origins or the server's own origin (`http://` + the
 * request's `Host`, which the Host check has already vetted). Requests without `Origin` (curl,
 * Node and edge `fetch`, server-side proxies) pass. Applies in every auth mode, so `--no-auth`
 * does not let a web page on another site start processes.
 */
export function isAllowedOrigin(request: IncomingMessage, corsOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (corsOrigins.includes(origin)) return true;
  const host = request.headers.host;
  return host !== undefined && host.length > 0 && origin.toLowerCase() === `http://${host.toLowerCase()}`;
}
