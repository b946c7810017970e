import { scanFirstJsonValue } from './go-json-syntax.js';

/**
 * Strict mode's reading of a JSON body, as the real server's `json.Decoder` reads it: the first
 * value only (what follows is ignored), and Go's words for a syntax error (`error`, without the
 * `invalid request body: ` prefix). An empty or whitespace-only body is `undefined`.
 */
export function parseFirstJsonValue(body: Buffer): { ok: true; value: unknown } | { ok: false; error: string } {
  const scan = scanFirstJsonValue(body);
  if (scan.kind === 'empty') return { ok: true, value: undefined };
  if (scan.kind === 'error') return { ok: false, error: scan.message };
  return { ok: true, value: JSON.parse(body.subarray(0, scan.end).toString('utf8')) as unknown };
}
