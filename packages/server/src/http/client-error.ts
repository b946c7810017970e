import type { Duplex } from 'node:stream';

/**
 * The `node:http` `clientError` listener: a request the HTTP parser refuses (malformed request
 * line, headers past the size limit, ...) gets a JSON `{"error": ...}` answer like every other
 * fault — 431 for oversized headers, 400 otherwise — then the connection is closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const headerOverflow = error.code === 'HPE_HEADER_OVERFLOW';
  const status = headerOverflow ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const body = JSON.stringify({ error: headerOverflow ? 'request headers too large' : 'malformed HTTP request' });
  socket.end([
    `HTTP/1.1 ${status}`,
    'Content-Type: application/json',
    'Cache-Control: no-cache, no-store',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n'));
}
