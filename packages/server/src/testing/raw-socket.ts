import { connect, type Socket } from 'node:net';

/** A raw TCP connection to a server on 127.0.0.1, with what it received and whether it closed. */
export interface OpenSocket {
  socket: Socket;
  closed: () => boolean;
  received: () => string;
}

/** Opens a raw TCP connection to `port` on 127.0.0.1 and resolves once connected. */
export function openSocket(port: number): Promise<OpenSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let closed = false;
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('close', () => {
      closed = true;
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, closed: () => closed, received: () => received }));
    socket.once('error', reject);
  });
}

/** The raw text of an authorized `POST /process` with `body` as its JSON. */
export function rawPostProcess(token: string, body: unknown): string {
  const json = JSON.stringify(body);
  return [
    'POST /process HTTP/1.1',
    'Host: 127.0.0.1',
    `Authorization: Bearer ${token}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(json)}`,
    '',
    json,
  ].join('\r\n');
}
