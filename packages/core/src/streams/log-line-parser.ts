/**
 * Classifies the lines of `GET /process/{id}/logs/stream` (PROTOCOL.md §3): `stdout:`/`stderr:`
 * records, bare notices, keepalives, and the real server's per-chunk prefixes.
 */
import type { LogStreamName } from '../types.js';

/** One output line or notice. */
export type ParsedLogLine = { type: 'record'; stream: LogStreamName; text: string } | { type: 'notice'; text: string };

/** The bare lines the servers send that are not output, e.g. `[Process is being forcefully killed]`, at the end of a line. */
const trailingNotice = /\[(?:Process|Output|keepalive)\b[^\]]*\]$/;

/**
 * Stateful parser for one connection.
 *
 * Extended servers (every line prefixed, recognized by `X-Log-Offset`): a prefixed line is a record,
 * anything else a notice.
 *
 * Strict servers (the real Blaxel sandbox) prefix each *read chunk*: a chunk `a\nb\n` arrives as
 * `stdout:a\nb\n` (an unprefixed line continues the last stream), and a chunk that ends in the middle
 * of a line glues the next prefix, keepalive or notice into that line (`stdout:12stdout:34\n` is the
 * line `1234`). The parser rebuilds the lines of each stream from these pieces, so a record is one
 * output line whatever the chunking, and replays of the same bytes count the same records. (Output
 * that itself contains `stdout:`/`stderr:` is split there: the wire cannot tell them apart.)
 */
export class LogLineParser {
  readonly #everyLinePrefixed: boolean;
  #lastStream: LogStreamName | undefined;
  readonly #partial: Record<LogStreamName, string> = { stdout: '', stderr: '' };

  /** `everyLinePrefixed`: the server prefixes every output line (extended mode). */
  constructor(everyLinePrefixed = false) {
    this.#everyLinePrefixed = everyLinePrefixed;
  }

  /** Parses one line (without its newline); keepalives yield nothing. */
  parse(line: string): ParsedLogLine[] {
    if (this.#everyLinePrefixed) {
      const stream = line.startsWith('stdout:') ? 'stdout' : line.startsWith('stderr:') ? 'stderr' : undefined;
      if (stream) return [{ type: 'record', stream, text: line.slice(7) }];
      return line === '[keepalive]' ? [] : [{ type: 'notice', text: line }];
    }
    const results: ParsedLogLine[] = [];
    const notice = trailingNotice.exec(line);
    if (notice) line = line.slice(0, notice.index);
    // [continuation, stream, text, stream, text, ...]
    const pieces = line.split(/(stdout|stderr):/);
    let stream = this.#lastStream;
    if (stream || pieces.length > 1) {
      pieces.forEach((piece, index) => {
        if (index % 2) stream = piece as LogStreamName;
        else if (stream) this.#partial[stream] += piece;
      });
      this.#lastStream = stream;
      // A line cut by a glued keepalive or notice is not complete yet.
      if (stream && !notice) {
        results.push({ type: 'record', stream, text: this.#partial[stream] });
        this.#partial[stream] = '';
      }
    } else if (line) {
      results.push({ type: 'notice', text: line });
    }
    if (notice && notice[0] !== '[keepalive]') results.push({ type: 'notice', text: notice[0] });
    return results;
  }
}
