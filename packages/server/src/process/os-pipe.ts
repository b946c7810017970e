import { closeSync, constants, openSync, unlinkSync } from 'node:fs';
import { Socket } from 'node:net';

/** Which way the bytes of a pipe go. */
export type PipeDirection = 'to-child' | 'from-child';

/** The two ends of a pipe between the server and a command. */
export interface OsPipe {
  /** The command's end, in blocking mode, for its stdio (the server closes its copy once spawned). */
  childDescriptor: number;
  /** The server's end as a stream: writable with backpressure (`to-child`) or readable (`from-child`). */
  serverEnd: Socket;
}

/**
 * Opens both ends of the fresh FIFO at `path` (see `FifoPool`) and removes it, leaving a real pipe,
 * as the real server gives its commands (Go's `os.Pipe`). Node's own `'pipe'` stdio is a UNIX
 * socket, which commands see differently: opening `/dev/stdin`, `/dev/stdout` or `/dev/stderr`
 * fails with ENXIO (`echo x > /dev/stderr`, `tee /dev/stderr`), and bash, taking a socket on stdin
 * for a remote shell, runs the user's `~/.bashrc` before the command. Undefined if an open fails
 * (the caller falls back to Node's socket).
 */
export function openOsPipe(path: string, direction: PipeDirection): OsPipe | undefined {
  try {
    // Opening one end of a FIFO waits for the other: an end open for both keeps the opens below
    // from waiting, and is closed once they are done. The server's end is non-blocking (libuv's).
    const both = openSync(path, constants.O_RDWR);
    try {
      const childFlags = direction === 'to-child' ? constants.O_RDONLY : constants.O_WRONLY;
      const serverFlags = (direction === 'to-child' ? constants.O_WRONLY : constants.O_RDONLY) | constants.O_NONBLOCK;
      const childDescriptor = openSync(path, childFlags);
      try {
        const fd = openSync(path, serverFlags);
        const readable = direction === 'from-child';
        return { childDescriptor, serverEnd: new Socket({ fd, readable, writable: !readable }) };
      } catch {
        closeSync(childDescriptor);
        return undefined;
      }
    } finally {
      closeSync(both);
    }
  } catch {
    return undefined;
  } finally {
    try {
      unlinkSync(path);
    } catch {
      /* the run directory is gone (shutdown) */
    }
  }
}
