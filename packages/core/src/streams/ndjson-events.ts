/**
 * The events of `POST /process` with `Accept: text/event-stream` (PROTOCOL.md §4): one JSON object
 * per line.
 */
import type { WireProcess } from '../client/normalize-process.js';

/** One event as sent: `stdout`/`stderr` (data: a chunk), `keepalive`, `error` (data: a message), `result` (data: the process as a JSON string). */
export interface ExecStreamEvent {
  type?: string;
  data?: unknown;
}

/** The final process carried by a `result` event (its data is a JSON string, or an object). */
export function resultProcess(event: ExecStreamEvent): WireProcess {
  return (typeof event.data === 'string' ? JSON.parse(event.data) : event.data) as WireProcess;
}

/**
 * Splits the data of one stdout/stderr event into lines. Each event ends a line: `"a\nb\n"`, `"a\nb"`
 * and `"a"` + `"b"` as two events all give the lines `a`, `b`.
 */
export function splitEventLines(data: unknown): string[] {
  if (typeof data !== 'string' || data === '') return [];
  const lines = data.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}
