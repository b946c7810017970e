/**
 * A Vite plugin that forwards `/sandbox/*` to a sandbox server and adds its token server-side.
 *
 * The browser only ever talks to the Vite server (same origin); the token lives in this Node
 * process and is never sent to the page or written into the bundle. Requests coming from other
 * origins (a web page trying to drive the local sandbox) are refused.
 *
 * Used for both the dev server and `vite preview`. It is hand-written rather than Vite's
 * `server.proxy` so that (1) an unreachable sandbox answers a clear 502 JSON body instead of a
 * stack trace per request, (2) streamed responses are never buffered or compressed, and (3) the
 * origin check runs before anything is forwarded.
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Connect, Plugin } from 'vite';

export interface SandboxProxyOptions {
  /** Base URL of the sandbox server, e.g. `http://127.0.0.1:8080`. */
  target: string;
  /** Bearer token added to every forwarded request. */
  token?: string;
  /** Path prefix served by the proxy. Default `/sandbox`. */
  prefix?: string;
}

/** Request headers never forwarded upstream (hop-by-hop, or identifying the browser session). */
const DROPPED_REQUEST_HEADERS = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'upgrade',
  'origin',
  'referer',
  'cookie',
  'authorization',
]);
const DROPPED_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding']);
const LOCAL_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-cache, no-store',
    ...extraHeaders,
  });
  response.end(JSON.stringify(body));
}

/** Refuses cross-origin and DNS-rebinding requests: only pages served by this Vite server may use the proxy. */
function isAllowedCaller(request: IncomingMessage): boolean {
  const host = request.headers.host ?? '';
  const hostname = host.replace(/:\d+$/, '');
  if (!LOCAL_HOSTNAMES.has(hostname)) return false;
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return false;
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') return false;
  return true;
}

export function createSandboxProxyMiddleware(options: SandboxProxyOptions): Connect.NextHandleFunction {
  const prefix = options.prefix ?? '/sandbox';
  const target = new URL(options.target);
  const basePath = target.pathname.replace(/\/+$/, '');
  const transport = target.protocol === 'https:' ? https : http;

  return (request, response, next) => {
    const url = request.url ?? '';
    if (url !== prefix && !url.startsWith(`${prefix}/`) && !url.startsWith(`${prefix}?`)) {
      next();
      return;
    }
    if (!isAllowedCaller(request)) {
      sendJson(response, 403, { error: 'the sandbox proxy only answers pages served by this demo server' });
      return;
    }

    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (!DROPPED_REQUEST_HEADERS.has(name) && !name.startsWith('sec-') && value !== undefined) headers[name] = value;
    }
    if (options.token) headers.authorization = `Bearer ${options.token}`;

    const upstream = transport.request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: request.method,
        path: basePath + (url.slice(prefix.length) || '/'),
        headers,
      },
      (upstreamResponse) => {
        const responseHeaders: http.OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(upstreamResponse.headers)) {
          if (!DROPPED_RESPONSE_HEADERS.has(name) && value !== undefined) responseHeaders[name] = value;
        }
        response.writeHead(upstreamResponse.statusCode ?? 502, responseHeaders);
        // Send headers now: a log stream may stay silent for a while.
        response.flushHeaders();
        upstreamResponse.pipe(response);
        upstreamResponse.on('error', () => response.destroy());
        // The upstream died mid-body (server stopped): cut the browser's connection too, so
        // the client sees a broken stream rather than a clean end.
        upstreamResponse.on('aborted', () => response.destroy());
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      sendJson(
        response,
        502,
        { error: `sandbox server not reachable at ${target.origin}: ${error.code ?? error.message}` },
        { 'x-sandproc-proxy': 'unreachable' },
      );
    });
    // The browser went away (closed a log stream, navigated): stop the upstream request as well.
    response.on('close', () => {
      if (!response.writableFinished) upstream.destroy();
    });
    request.pipe(upstream);
  };
}

/** Vite plugin: mounts the proxy on the dev server and on `vite preview`, ahead of compression and static files. */
export function sandboxProxy(options: SandboxProxyOptions): Plugin {
  const middleware = createSandboxProxyMiddleware(options);
  return {
    name: 'sandproc:sandbox-proxy',
    configureServer(server) {
      server.middlewares.use(middleware);
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware);
    },
  };
}
