import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Accept',
  'X-Blaxel-Authorization',
  'X-Blaxel-Workspace',
  'X-Blaxel-Preview-Token',
  'If-None-Match',
].join(', ');
const ALLOWED_METHODS = 'GET, POST, DELETE, OPTIONS';

/**
 * Adds CORS headers when the request's Origin is one of `origins` (exact match). Returns true if
 * the request was a preflight (`OPTIONS`) and has been answered.
 */
export function handleCors(request: IncomingMessage, response: ServerResponse, origins: readonly string[]): boolean {
  const origin = request.headers.origin;
  const allowed = typeof origin === 'string' && origins.includes(origin);
  if (allowed) {
    response.setHeader('Access-Control-Allow-Origin', origin);
    response.setHeader('Vary', 'Origin');
    // `Date` lets a browser client tell, after a lost exec answer, whether a process it finds by name
    // started after its request (on the server's own clock).
    response.setHeader('Access-Control-Expose-Headers', 'X-Log-Offset, Date, ETag');
  }
  if (request.method !== 'OPTIONS') return false;
  if (allowed) {
    response.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
    response.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    response.setHeader('Access-Control-Max-Age', '600');
  }
  response.writeHead(204, { 'Cache-Control': 'no-cache, no-store' });
  response.end();
  return true;
}
