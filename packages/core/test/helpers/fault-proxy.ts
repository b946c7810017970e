/**
 * A TCP proxy (node:net) in front of the local server that misbehaves on purpose, per connection:
 * drops it, stalls it, answers 503 itself, or cuts responses held too long with a 504 (like the
 * Blaxel edge). Test-only code.
 */
import net from 'node:net';

/** What to do with one connection (the n-th accepted, from 0). Nothing set: a clean pass-through. */
export interface ConnectionFault {
  /** Close the connection as soon as the client sends, without forwarding anything. */
  dropRequest?: boolean;
  /** Forward the request, then destroy the connection when the first response byte arrives. */
  dropOnResponse?: boolean;
  /** Destroy the connection after forwarding this many response bytes. */
  dropAfterBytes?: number;
  /** Stop forwarding response bytes (without closing) after this many. */
  stallAfterBytes?: number;
  /** Answer `503 Service Unavailable` without contacting the server. */
  answer503?: boolean;
  /** Never answer (a black hole). */
  blackhole?: boolean;
  /** Cut the connection this many ms after the request: `504` if no response byte was sent yet. */
  cutAfterMs?: number;
}

/** One HTTP request seen by the proxy (requests are counted across connections, from 0). */
export interface ProxiedRequest {
  index: number;
  method: string;
  path: string;
}

/** Faults for the response to one request: only the byte-counting ones apply, counted from that response. */
export type ResponseFault = Pick<ConnectionFault, 'dropOnResponse' | 'dropAfterBytes' | 'stallAfterBytes'>;

export interface FaultProxy {
  url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Faults actually applied so far (drops, stalls, 503s, 504s, cuts). */
  readonly faults: number;
  close(): Promise<void>;
}

/**
 * `policy` decides per connection (the n-th accepted); `onRequest`, if given, per request (keep-alive
 * connections carry several), for response faults aimed at one kind of request whatever the
 * connection it travels on.
 */
export async function startFaultProxy(
  targetUrl: string,
  policy: (index: number) => ConnectionFault,
  onRequest?: (request: ProxiedRequest) => ResponseFault,
): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  let connections = 0;
  let requests = 0;
  let faults = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const connectionFault = policy(connections++);
    let fault = connectionFault;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    if (fault.blackhole) return;
    if (fault.dropRequest) {
      client.once('data', () => {
        faults++;
        client.destroy();
      });
      return;
    }
    if (fault.answer503) {
      client.once('data', () => {
        faults++;
        client.end(
          'HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: 4\r\nconnection: close\r\n\r\nbusy',
        );
      });
      return;
    }
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    let forwarded = 0;
    let timer: NodeJS.Timeout | undefined;
    client.on('data', (chunk: Buffer) => {
      const requestLine = /^(GET|POST|DELETE|PUT|HEAD|OPTIONS) (\S+) HTTP\//.exec(chunk.toString('latin1', 0, 2048));
      if (requestLine && onRequest) {
        fault = {
          ...connectionFault,
          ...onRequest({ index: requests++, method: requestLine[1] ?? '', path: requestLine[2] ?? '' }),
        };
        forwarded = 0;
        upstream.resume();
      }
      if (fault.cutAfterMs !== undefined && timer === undefined) {
        timer = setTimeout(() => {
          faults++;
          if (forwarded === 0)
            client.end('HTTP/1.1 504 Gateway Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
          else client.destroy();
          upstream.destroy();
        }, fault.cutAfterMs);
      }
      upstream.write(chunk);
    });
    client.on('close', () => clearTimeout(timer));
    upstream.on('data', (chunk: Buffer) => {
      if (fault.dropOnResponse) {
        faults++;
        return void client.destroy();
      }
      const limit = fault.dropAfterBytes ?? fault.stallAfterBytes;
      if (limit !== undefined && forwarded >= limit) return;
      if (limit !== undefined && forwarded + chunk.length > limit) {
        client.write(chunk.subarray(0, Math.max(0, limit - forwarded)));
        forwarded = limit;
        faults++;
        if (fault.dropAfterBytes !== undefined) {
          client.destroy();
          upstream.destroy();
        } else {
          upstream.pause();
        }
        return;
      }
      forwarded += chunk.length;
      client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    get connections() {
      return connections;
    },
    get faults() {
      return faults;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
