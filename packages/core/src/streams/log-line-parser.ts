/**
 * Classifies the lines of `GET /process/{id}/logs/stream` (PROTOCOL.md §3): `stdout:`/`stderr:`
 * records, bare notices, keepalives, and the real server's per-chunk prefixes.
 */
import type { LogStreamName } from '../types.js';

/** One output line or notice. */
export type ParsedLogLine = { type: 'record'; stream: LogStreamName; text: string } | { type: 'notice'; text: string };

/**
 * The exact bare lines a strict server (the real one) sends that are not output, at the end of a
 * line: `[keepalive]`, `[Process is being gracefully terminated]`, `[Process is being forcefully
 * killed]`, `[Process failed with exit code N. Attempting restart k/M...]`, and the local server's
 * `[Output truncated: N records dropped]`. (`[Process is being sent SIGINT]` exists only in extended
 * mode, where every unprefixed line is a notice.)
 */
const trailingNotice =
  /\[(?:keepalive|Process (?:is being (?:gracefully terminated|forcefully killed)|failed with exit code -?\d+\. Attempting restart \d+\/\w+\.\.\.)|Output truncated: \d+ records dropped)\]$/;

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
 * output line whatever the chunking, and replays of the same bytes count the same records. Only the
 * servers' exact notice texts are notices; other text before the first prefix (the real server's
 * 200 error body for an unknown process) is dropped. (Output that itself contains `stdout:`/`stderr:`
 * is split there, and output ending in an exact notice text is taken for that notice: the wire
 * cannot tell them apart.)
 */
export class LogLineParser {
  readonly #everyLinePrefixed: boolean;
  #lastStream: LogStreamName | undefined;
  readonly #partial: Record<LogStreamName, string> = { stdout: '', stderr: '' };
  /**
   * An empty line held back (strict servers): the real server writes its notices as
   * `\n<notice>\n`, so an empty line right before a notice belongs to the notice, not the output.
   */
  #heldEmpty: LogStreamName | undefined;

  /** `everyLinePrefixed`: the server prefixes every output line (extended mode). */
  constructor(everyLinePrefixed = false) {
    this.#everyLinePrefixed = everyLinePrefixed;
  }

  /** Parses one line (without its newline); keepalives yield nothing. */
  parse(line: string): ParsedLogLine[] {
    if (this.#everyLinePrefixed) {
      const prefix = /^(stdout|stderr):/.exec(line);
      if (prefix) return [{ type: 'record', stream: prefix[1] as LogStreamName, text: line.slice(7) }];
      return line === '[keepalive]' ? [] : [{ type: 'notice', text: line }];
    }
    const results = this.#parseChunked(line);
    const released = this.end();
    const [first] = results;
    if (!results[1] && first?.type === 'record' && !first.text) {
      this.#heldEmpty = first.stream;
      return released;
    }
    return first?.type === 'notice' ? results : [...released, ...results];
  }

  /** The empty line held back, if any: output after all (at the end of the output, or before more output). */
  end(): ParsedLogLine[] {
    const held = this.#heldEmpty;
    this.#heldEmpty = undefined;
    return held ? [{ type: 'record', stream: held, text: '' }] : [];
  }

  #parseChunked(line: string): ParsedLogLine[] {
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
    }
    if (notice && notice[0] !== '[keepalive]') results.push({ type: 'notice', text: notice[0] });
    return results;
  }
}
