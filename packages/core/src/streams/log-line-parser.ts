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
   * An empty line held back by {@link parse} (strict servers): the real server writes its notices
   * as `\n<notice>\n`, so an empty line right before a notice belongs to the notice, not the output.
   */
  #heldEmpty: LogStreamName | undefined;

  /** `everyLinePrefixed`: the server prefixes every output line (extended mode). */
  constructor(everyLinePrefixed = false) {
    this.#everyLinePrefixed = everyLinePrefixed;
  }

  /**
   * Parses one line (without its newline); keepalives yield nothing. Strict servers: an empty
   * output line is held back until the next line shows whether it is part of a notice (then it is
   * dropped) or output (then it comes first); call {@link end} when the output is over.
   */
  parse(line: string): ParsedLogLine[] {
    const parsed = this.parseLine(line);
    if (this.#everyLinePrefixed) return parsed ? [parsed] : [];
    if (parsed?.type === 'notice') {
      this.#heldEmpty = undefined;
      return [parsed];
    }
    const released = this.end();
    if (parsed?.type === 'record' && parsed.text === '') {
      this.#heldEmpty = parsed.stream;
      return released;
    }
    return parsed ? [...released, parsed] : released;
  }

  /** The empty line {@link parse} held back, if any: output after all (the output is over). */
  end(): ParsedLogLine[] {
    const held = this.#heldEmpty;
    this.#heldEmpty = undefined;
    return held ? [{ type: 'record', stream: held, text: '' }] : [];
  }

  /**
   * Parses one line (without its newline): a record, a notice, or `undefined` (a keepalive, or a
   * piece of a line not complete yet). A line never holds both a record and a notice. Holds
   * nothing back (see {@link parse}).
   */
  parseLine(line: string): ParsedLogLine | undefined {
    // `stdout:`/`stderr:`: the character at 3 tells them apart.
    const prefixed = line.startsWith('stdout:') || line.startsWith('stderr:');
    if (this.#everyLinePrefixed) {
      if (prefixed)
        return { type: 'record', stream: line.charCodeAt(3) === 111 ? 'stdout' : 'stderr', text: line.slice(7) };
      return line === '[keepalive]' ? undefined : { type: 'notice', text: line };
    }
    const notice = trailingNotice.exec(line);
    if (notice) line = line.slice(0, notice.index);
    // [continuation, stream, text, stream, text, ...]
    const pieces = line.split(/(stdout|stderr):/);
    let stream = this.#lastStream;
    let record: ParsedLogLine | undefined;
    if (stream || pieces.length > 1) {
      pieces.forEach((piece, index) => {
        if (index % 2) stream = piece as LogStreamName;
        else if (stream) this.#partial[stream] += piece;
      });
      this.#lastStream = stream;
      // A line cut by a glued keepalive or notice is not complete yet.
      if (stream && !notice) {
        record = { type: 'record', stream, text: this.#partial[stream] };
        this.#partial[stream] = '';
      }
    }
    return notice && notice[0] !== '[keepalive]' ? { type: 'notice', text: notice[0] } : record;
  }
}
