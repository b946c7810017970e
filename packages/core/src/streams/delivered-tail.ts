/**
 * Whether a stream that ended cleanly has everything, from the process's inline `stdout`/`stderr`
 * (the last 64 KiB the servers send with a process). When both are short enough to be whole, their
 * line count is the process's record count: it must be the stream's cursor. Otherwise the end of
 * what the stream delivered on each output stream is compared with the end of the inline text. A
 * connection cut cleanly by an intermediary loses only the end of the output, so a missing end
 * shows here; when it does, or the inline text cannot tell (absent, or one line repeated all
 * through a long text, or more than {@link kept} times), the stream reconciles with the server.
 */
import type { LogStreamName, ProcessInfo } from '../types.js';

/** Lines kept per output stream (a ring): enough to count a short run of equal last lines. */
const kept = 8;

/** The last lines delivered on one output stream (a ring of {@link kept}), and how many were delivered. */
export interface DeliveredTail {
  texts: string[];
  count: number;
}

/** A tail with nothing delivered yet. */
export const emptyTail = (): DeliveredTail => ({ texts: [], count: 0 });

/** Notes a delivered line in `tail`: one store, no comparison (this runs for every record). */
export function noteDelivered(tail: DeliveredTail, text: string): void {
  tail.texts[tail.count++ % kept] = text;
}

/** An inline text shorter than this is taken as whole (no server keeps less than 64 KiB). */
const surelyWholeLength = 16 * 1024;

function linesOf(inline: string): string[] {
  const lines = inline.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function endsWith(inline: string | null, { texts, count }: DeliveredTail): boolean {
  if (inline === null) return false;
  const lines = linesOf(inline);
  if (count === 0) return lines.length === 0;
  // The run of equal lines at the end of what was delivered; all of the ring: it may be longer.
  const last = texts[(count - 1) % kept];
  let repeats = 1;
  while (repeats < Math.min(count, kept) && texts[(count - 1 - repeats) % kept] === last) repeats++;
  if (repeats === kept) return false;
  let run = 0;
  while (run < lines.length && lines[lines.length - 1 - run]?.replace(/\r$/, '') === last) run++;
  return run === repeats && run < lines.length;
}

/**
 * True when `process`'s inline output shows that the stream delivered everything: `delivered` (the
 * cursor: records delivered, `since` included) is its line count when both texts are whole, else
 * the ends match on both streams.
 */
export function endsAsDelivered(
  process: ProcessInfo,
  tails: Record<LogStreamName, DeliveredTail>,
  delivered: number,
): boolean {
  const { stdout, stderr } = process;
  if (stdout !== null && stderr !== null && stdout.length < surelyWholeLength && stderr.length < surelyWholeLength) {
    return delivered === linesOf(stdout).length + linesOf(stderr).length;
  }
  return endsWith(stdout, tails.stdout) && endsWith(stderr, tails.stderr);
}
