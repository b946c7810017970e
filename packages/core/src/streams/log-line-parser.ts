/**
 * Classifies the lines of `GET /process/{id}/logs/stream` (PROTOCOL.md §3): `stdout:`/`stderr:`
 * records, bare notices, keepalives, and the real server's unprefixed continuation lines.
 */
import type { LogStreamName } from '../types.js';

/** One classified line. */
export type ParsedLogLine =
  | { type: 'record'; stream: LogStreamName; text: string }
  | { type: 'notice'; text: string }
  | { type: 'keepalive' };

/** The bare lines the servers send that are not output, e.g. `[Process is being forcefully killed]`. */
const noticePattern = /^\[(?:Process|Output|keepalive)\b[^\]]*\]$/;

/**
 * Stateful parser for one connection. The real server prefixes each *read chunk* rather than each
 * line, so an unprefixed line continues the stream of the last prefixed line; lines shaped like the
 * known notices (`[Process …]`) are notices, never records; an unprefixed line before any prefixed
 * one (e.g. an error body sent with status 200) is a notice too.
 */
export class LogLineParser {
  #lastStream: LogStreamName | undefined;
  readonly #everyLinePrefixed: boolean;

  /**
   * `everyLinePrefixed`: the server prefixes every output line (the local server in extended mode,
   * recognized by its `X-Log-Offset` header), so any unprefixed line is a notice.
   */
  constructor(everyLinePrefixed = false) {
    this.#everyLinePrefixed = everyLinePrefixed;
  }

  /** Classifies one line (without its newline). */
  parse(line: string): ParsedLogLine {
    if (line === '[keepalive]') return { type: 'keepalive' };
    const colon = line.indexOf(':');
    const prefix = line.slice(0, colon);
    if (prefix === 'stdout' || prefix === 'stderr') {
      this.#lastStream = prefix;
      return { type: 'record', stream: prefix, text: line.slice(colon + 1) };
    }
    if (this.#everyLinePrefixed || this.#lastStream === undefined || noticePattern.test(line)) return { type: 'notice', text: line };
    return { type: 'record', stream: this.#lastStream, text: line };
  }
}
