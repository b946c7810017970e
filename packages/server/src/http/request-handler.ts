import type { IncomingMessage, ServerResponse } from 'node:http';
import { hasValidToken } from '../security/auth.js';
import { handleCors } from '../security/cors.js';
import { createHostCheck } from '../security/host-check.js';
import { isAllowedOrigin } from '../security/origin-check.js';
import { createRefusalReport } from '../security/refusal-report.js';
import type { ResolvedOptions } from '../options.js';
import { sendError } from './respond.js';
import type { Router } from './router.js';
import { unknownRouteMessage, unservedApiMessage } from './unserved-routes.js';

const PUBLIC_PATHS = new Set(['/health']);
const LEFTOVER_BODY_GRACE_MS = 2000;

/** The real server's answer to an unknown route or method (its router's default). */
function sendRoutingNotFound(response: ServerResponse): void {
  const body = '404 page not found';
  response.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

/** The `node:http` request listener: Host check, Origin check, CORS, auth, routing, and a 4xx for every fault. */
export function createRequestHandler(router: Router, options: ResolvedOptions) {
  const hostAllowed = createHostCheck(options.host);
  const refusals = createRefusalReport(options.onRequestRefused);
  return (request: IncomingMessage, response: ServerResponse): void => {
    const closed = new AbortController();
    response.on('close', () => closed.abort());
    response.on('finish', () => {
      if (request.complete) return;
      request.resume();
      setTimeout(() => request.destroy(), LEFTOVER_BODY_GRACE_MS).unref();
    });
    request.on('error', () => undefined);
    response.on('error', () => undefined);
    // Node's own answer to a missing Host (HTTP/1.1) has no body: the server answers it here.
    if (request.headers.host === undefined) {
      sendError(response, 400, 'missing required Host header');
      return;
    }
    if (!hostAllowed(request.headers.host)) {
      refusals.host(request.headers.host);
      sendError(response, 403, 'forbidden host');
      return;
    }
    if (!isAllowedOrigin(request, options.corsOrigins)) {
      refusals.origin(request.headers.origin ?? '');
      sendError(response, 403, 'forbidden origin');
      return;
    }
    if (handleCors(request, response, options.corsOrigins)) return;
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://localhost');
    } catch {
      sendError(response, 400, 'invalid request URL');
      return;
    }
    if (options.auth && !PUBLIC_PATHS.has(url.pathname) && !hasValidToken(request, options.token)) {
      sendError(response, 401, 'missing or invalid bearer token', { 'WWW-Authenticate': 'Bearer' });
      return;
    }
    if (options.compatibility === 'strict' && request.method === 'HEAD') {
      // The real server answers HEAD on any path it has a GET for: 200, nothing else.
      if (router.match('GET', url.pathname).kind !== 'handler') {
        sendRoutingNotFound(response);
        return;
      }
      response.writeHead(200);
      response.end();
      return;
    }
    const match = router.match(request.method ?? 'GET', url.pathname);
    // Routes of a real sandbox that are not served here say so in both modes (the real server
    // would answer them, so strict mode's router 404 would reproduce nothing).
    const unserved = match.kind === 'not-found' ? unservedApiMessage(url.pathname) : undefined;
    if (unserved !== undefined) {
      sendError(response, 404, unserved);
      return;
    }
    if (options.compatibility === 'strict' && (match.kind === 'not-found' || match.kind === 'method-not-allowed')) {
      sendRoutingNotFound(response);
      return;
    }
    if (match.kind === 'not-found') {
      sendError(response, 404, unknownRouteMessage(request.method ?? 'GET', url.pathname));
      return;
    }
    if (match.kind === 'bad-path') {
      sendError(response, 400, 'invalid path encoding');
      return;
    }
    if (match.kind === 'method-not-allowed') {
      sendError(response, 405, 'method not allowed', { Allow: [...match.allowed, 'OPTIONS'].join(', ') });
      return;
    }
    const context = { request, response, url, params: match.params, signal: closed.signal };
    Promise.resolve()
      .then(() => match.handler(context))
      .catch((error: unknown) => {
        sendError(response, 400, `request failed: ${error instanceof Error ? error.message : String(error)}`);
      });
  };
}
