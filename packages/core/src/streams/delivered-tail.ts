/**
 * Whether a stream that ended cleanly has everything: the end of what it delivered on each output
 * stream is compared with the end of the process's inline `stdout`/`stderr` (the last 64 KiB the
 * servers send with a process). A connection cut cleanly by an intermediary loses only the end of
 * the output, so a missing end shows here; when it does, or the inline text cannot tell (absent, or
 * one repeated line all through a text that may be truncated), the stream reconciles with the server.
 */
import type { LogStreamName, ProcessInfo } from '../types.js';

/** The last line delivered on one output stream, and how many times in a row it came. */
export interface DeliveredTail {
  text: string;
  repeats: number;
}

/** Notes a delivered line in `tail`. */
export function noteDelivered(tail: DeliveredTail, text: string): void {
  if (tail.repeats > 0 && tail.text === text) tail.repeats++;
  else {
    tail.text = text;
    tail.repeats = 1;
  }
}

/** An inline text shorter than this is taken as whole (no server keeps less than 64 KiB). */
const surelyWholeLength = 1024;

function endsWith(inline: string | null, tail: DeliveredTail): boolean {
  if (inline === null) return false;
  const lines = inline.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let run = 0;
  while (run < lines.length && lines[lines.length - 1 - run]!.replace(/\r$/, '') === tail.text) run++;
  return run === tail.repeats && (run < lines.length || inline.length < surelyWholeLength);
}

/** True when `process`'s inline output ends as the stream's delivered lines do, on both streams. */
export function endsAsDelivered(process: ProcessInfo, tails: Record<LogStreamName, DeliveredTail>): boolean {
  return endsWith(process.stdout, tails.stdout) && endsWith(process.stderr, tails.stderr);
}
