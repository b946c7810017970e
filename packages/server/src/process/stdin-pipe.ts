import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, unlinkSync } from 'node:fs';
import { Socket } from 'node:net';

/** The two ends of a command's stdin pipe. */
export interface StdinPipe {
  /** The read end, in blocking mode, for the child's fd 0 (the server closes its copy once spawned). */
  readDescriptor: number;
  /** The write end, as a stream with backpressure (`writableLength`, `drain`). */
  writer: Socket;
}

/**
 * A real pipe for a command's stdin, as the real server gives one (Go's `os.Pipe`). Node's own
 * `'pipe'` stdio is a UNIX socket, which commands see differently: `cat /dev/stdin` fails with
 * ENXIO, and bash, taking a socket on stdin for a remote shell, runs the user's `~/.bashrc` (its
 * output, its exports, its delays) before the command. Node cannot call pipe(2), so the pipe is a
 * FIFO made at `path` with `mkfifo` and removed once both ends are open. Undefined where `mkfifo`
 * is missing or fails (the caller falls back to Node's socket).
 */
export function openStdinPipe(path: string): StdinPipe | undefined {
  if (spawnSync('mkfifo', ['-m', '600', path], { stdio: 'ignore' }).status !== 0) return undefined;
  try {
    // Opening both ends of a FIFO blocks until the other one is open: an end open for both keeps
    // the opens below from waiting, and is closed once they are done.
    const both = openSync(path, constants.O_RDWR);
    const readDescriptor = openSync(path, constants.O_RDONLY);
    try {
      const writeDescriptor = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
      return { readDescriptor, writer: new Socket({ fd: writeDescriptor, readable: false, writable: true }) };
    } catch {
      closeSync(readDescriptor);
      return undefined;
    } finally {
      closeSync(both);
    }
  } catch {
    return undefined;
  } finally {
    unlinkSync(path);
  }
}
