/**
 * The events of `POST /process` with `Accept: text/event-stream` (PROTOCOL.md §4): one JSON object
 * per line.
 */
import type { WireProcess } from '../client/normalize-process.js';

/** One parsed event. `result` carries the final process; `keepalive` and unknown types are `ignored`. */
export type ExecStreamEvent =
  | { type: 'stdout' | 'stderr'; data: string }
  | { type: 'error'; message: string }
  | { type: 'result'; process: WireProcess }
  | { type: 'ignored' };

/** Parses one NDJSON line; throws `SyntaxError` on malformed JSON. */
export function parseExecStreamEvent(line: string): ExecStreamEvent {
  if (!line.trim()) return { type: 'ignored' };
  const event = JSON.parse(line) as { type?: string; data?: unknown };
  const data = event.data;
  switch (event.type) {
    case 'stdout':
    case 'stderr':
      return { type: event.type, data: typeof data === 'string' ? data : '' };
    case 'error':
      return { type: 'error', message: typeof data === 'string' ? data : JSON.stringify(data) };
    case 'result':
      return { type: 'result', process: (typeof data === 'string' ? JSON.parse(data) : data) as WireProcess };
    default:
      return { type: 'ignored' };
  }
}

/**
 * Splits the data of one stdout/stderr event into lines. Each event ends a line: `"a\nb\n"`, `"a\nb"`
 * and `"a"` + `"b"` as two events all give the lines `a`, `b`.
 */
export function splitEventLines(data: string): string[] {
  if (data === '') return [];
  const lines = data.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}
