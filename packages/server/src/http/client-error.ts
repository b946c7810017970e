import type { Duplex } from 'node:stream';

/**
 * The `node:http` `clientError` listener: a request the HTTP parser refuses (malformed request
 * line, headers past the size limit, ...) gets a JSON `{"error": ...}` answer like every other
 * fault — 431 for oversized headers, 408 for a request (headers or body) not received within its
 * timeout, 400 otherwise — then the connection is closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? ['431 Request Header Fields Too Large', 'request headers too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? ['408 Request Timeout', 'request not received in time']
        : ['400 Bad Request', 'malformed HTTP request'];
  const body = JSON.stringify({ error: message });
  socket.end(
    [
      `HTTP/1.1 ${status}`,
      'Content-Type: application/json',
      'Cache-Control: no-cache, no-store',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}
