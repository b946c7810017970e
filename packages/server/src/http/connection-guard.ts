import type { Socket } from 'node:net';

const REFUSAL_BODY = JSON.stringify({ error: 'too many open connections' });
const REFUSAL = [
  'HTTP/1.1 429 Too Many Requests',
  'Content-Type: application/json',
  'Cache-Control: no-cache, no-store',
  'Retry-After: 1',
  `Content-Length: ${Buffer.byteLength(REFUSAL_BODY)}`,
  'Connection: close',
  '',
  REFUSAL_BODY,
].join('\r\n');

/**
 * Tracks open connections and caps them. At the cap, a new connection closes the oldest idle one
 * (no request in flight: an idle keep-alive, or one still sending its headers), or else the oldest
 * whose client ended its side while its answer was pending (the server answers a half-closed
 * client, but at TCP level a client that gave up and closed its socket looks the same, and its
 * answer may be hours away: a `waitForCompletion` of a long command), so neither a flood of idle
 * sockets nor clients that gave up can lock a real client out; only when every connection is busy
 * with a client still there is the newcomer answered 429 and closed.
 */
export class ConnectionGuard {
  readonly #maximum: number;
  /** Open connections in the order they arrived, with their requests in flight. */
  readonly #active = new Map<Socket, number>();
  /** Connections whose client ended its side (a FIN: half-closed, or gone for good). */
  readonly #ended = new WeakSet<Socket>();

  constructor(maximum: number) {
    this.#maximum = maximum;
  }

  /** Open connections tracked. */
  get size(): number {
    return this.#active.size;
  }

  /** Admits a new connection, making room if needed. Returns false if it was refused. */
  admit(socket: Socket): boolean {
    if (this.#active.size >= this.#maximum && !this.#closeOldestIdle()) {
      socket.on('error', () => undefined);
      socket.end(REFUSAL);
      socket.destroySoon();
      return false;
    }
    this.#active.set(socket, 0);
    socket.once('close', () => this.#active.delete(socket));
    socket.once('end', () => this.#ended.add(socket));
    return true;
  }

  /** True if `socket` was admitted and is still open. */
  admitted(socket: Socket): boolean {
    return this.#active.has(socket);
  }

  /** A request arrived on `socket`; returns the function to call once its answer is done (idempotent). */
  requestStarted(socket: Socket): () => void {
    const count = this.#active.get(socket);
    if (count === undefined) return () => undefined;
    this.#active.set(socket, count + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const current = this.#active.get(socket);
      if (current !== undefined) this.#active.set(socket, Math.max(0, current - 1));
    };
  }

  /** Closes every tracked connection. */
  destroyAll(): void {
    for (const socket of this.#active.keys()) socket.destroy();
  }

  #closeOldestIdle(): boolean {
    for (const clientGone of [false, true]) {
      for (const [socket, requests] of this.#active) {
        if (requests > 0 && !(clientGone && this.#ended.has(socket))) continue;
        this.#active.delete(socket);
        socket.destroy();
        return true;
      }
    }
    return false;
  }
}
