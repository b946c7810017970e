import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a route handler receives. */
export interface RouteContext {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  /** Decoded path parameters, e.g. `{ id: '1234' }` for `/process/:id`. */
  params: Record<string, string>;
  /** Fires when the client goes away or the answer is complete. */
  signal: AbortSignal;
}

/** A route handler. */
export type RouteHandler = (context: RouteContext) => void | Promise<void>;

/** Result of matching a request: a handler with its params, or the status to answer. */
export type RouteMatch =
  | { kind: 'handler'; handler: RouteHandler; params: Record<string, string> }
  | { kind: 'not-found' }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'bad-path' };

interface Route {
  method: string;
  segments: string[];
  handler: RouteHandler;
}

/** A tiny method + path router (`:name` segments capture one decoded path segment). */
export class Router {
  readonly #routes: Route[] = [];

  add(method: string, pattern: string, handler: RouteHandler): this {
    this.#routes.push({ method, segments: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  match(method: string, pathname: string): RouteMatch {
    let segments: string[];
    try {
      segments = pathname
        .split('/')
        .filter(Boolean)
        .map((segment) => decodeURIComponent(segment));
    } catch {
      return { kind: 'bad-path' };
    }
    const allowed: string[] = [];
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, segments);
      if (params === undefined) continue;
      if (route.method === method) return { kind: 'handler', handler: route.handler, params };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' };
  }
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of pattern.entries()) {
    const value = actual[index] ?? '';
    if (part.startsWith(':')) params[part.slice(1)] = value;
    else if (part !== value) return undefined;
  }
  return params;
}
