import type { Socket } from 'node:net';

/** When a stream writes a keepalive after its client ended its side, in milliseconds after it did. */
const PROBE_DELAYS_MS = [0, 1000, 10_000];

/**
 * For a stream whose client ends its side of the connection (a FIN): writes `probe` (a keepalive)
 * at once and twice more within seconds. The server answers a half-closed client in full, but a
 * client that closed its socket for good (a page closed, a process ended) sends the same FIN: the
 * first write to it draws a reset and the next one fails, which closes the response and frees its
 * slot of `maxStreams` and of `maxConnections`, instead of at the second keepalive
 * (2 × `keepaliveIntervalMs`, a minute by default). A client that is still there reads a few more
 * keepalives. Returns the function that stops the probes (call it when the stream ends).
 */
export function probeEndedClient(socket: Socket, probe: () => void): () => void {
  const timers: NodeJS.Timeout[] = [];
  const start = (): void => {
    for (const delay of PROBE_DELAYS_MS) timers.push(setTimeout(probe, delay).unref());
  };
  if (socket.readableEnded) start();
  else socket.once('end', start);
  return () => {
    socket.off('end', start);
    for (const timer of timers) clearTimeout(timer);
  };
}
