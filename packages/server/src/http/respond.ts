import type { ServerResponse } from 'node:http';

/** Headers every JSON answer carries. */
export const NO_STORE_HEADERS = { 'Cache-Control': 'no-cache, no-store' } as const;

/** Sends `body` as JSON with `status`. Does nothing if the answer was already started. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent || response.writableEnded) {
    if (!response.writableEnded) response.end();
    return;
  }
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    ...NO_STORE_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
    ...headers,
  });
  response.end(payload);
}

/** Sends `{"error": message}` with `status`. */
export function sendError(
  response: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(response, status, { error: message }, headers);
}

/** Sends `{"message": message}` with status 200. */
export function sendMessage(response: ServerResponse, message: string): void {
  sendJson(response, 200, { message });
}
