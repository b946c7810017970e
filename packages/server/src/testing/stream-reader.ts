import { request as httpRequest, type IncomingMessage } from 'node:http';

/** A raw log stream whose reading the test controls (paused until `resume`), with line checks. */
export interface ControlledStream {
  response: IncomingMessage;
  /** Reads the rest of the stream, calling `onLine` for every line, and resolves at its end. */
  readLines(onLine: (line: string) => void): Promise<void>;
}

/**
 * Opens `url` with `node:http` and returns once the headers arrived, with the body paused: the
 * server sees a reader that reads nothing until `readLines` is called.
 */
export function openPausedStream(url: string, headers: Record<string, string>): Promise<ControlledStream> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers }, (response) => {
      response.pause();
      resolve({
        response,
        readLines: (onLine) =>
          new Promise((done, fail) => {
            let rest = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => {
              const text = rest + chunk;
              let start = 0;
              let newline = text.indexOf('\n', start);
              while (newline !== -1) {
                onLine(text.slice(start, newline));
                start = newline + 1;
                newline = text.indexOf('\n', start);
              }
              rest = text.slice(start);
            });
            response.once('end', () => {
              if (rest.length > 0) onLine(rest);
              done();
            });
            response.once('error', fail);
            response.resume();
          }),
      });
    });
    request.once('error', reject);
    request.end();
  });
}

/** Checks that stdout lines are `stdout:<first>`, `stdout:<first + 1>`, ... and counts them (stderr lines counted, notices kept, keepalives ignored). */
export class SequenceCheck {
  next: number;
  /** Lines seen on stderr (counted, not checked). */
  stderrLines = 0;
  readonly notices: string[] = [];
  #problem: string | undefined;

  constructor(first: number) {
    this.next = first;
  }

  readonly onLine = (line: string): void => {
    if (line.startsWith('stderr:')) {
      this.stderrLines++;
      return;
    }
    if (!line.startsWith('stdout:')) {
      if (line !== '[keepalive]') this.notices.push(line);
      return;
    }
    const value = line.slice('stdout:'.length);
    if (this.#problem === undefined && value !== String(this.next))
      this.#problem = `expected stdout:${this.next}, got ${line.slice(0, 80)}`;
    this.next++;
  };

  /** The first out-of-order line, if any. */
  get problem(): string | undefined {
    return this.#problem;
  }
}
