import type { Server } from 'node:http';

/**
 * Lets a client that half-closes its socket after its request (`socket.end()`, `nc -N`,
 * `curl --data … --no-keepalive` behind some proxies) get its whole answer. By default Node's HTTP
 * server ends its own side as soon as the client's ends, so an answer written later (after the
 * body was read, a command started, or on a log stream) is lost, though the request took effect.
 * With `httpAllowHalfOpen` (a property of Node's `http.Server` since its first versions, kept on
 * purpose though undocumented: nodejs/node#36819) Node ends the connection once the answer in
 * flight is written instead, and at once when none is.
 */
export function answerHalfClosedClients(server: Server): void {
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
}
