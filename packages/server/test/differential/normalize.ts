import { createHash } from 'node:crypto';

/**
 * Normalization of recorded answers: run-dependent values (pids, generated names, dates, ports,
 * temporary folders) become stable tokens, and streamed output becomes one entry per line, so that
 * answers of different servers compare equal exactly when they mean the same.
 */

const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const GENERATED_NAME = /proc-[a-z0-9]{8}/g;
const PREFIXED = /^(stdout|stderr):(.*)$/s;
const NOTICE = /^\[.*\]$/;
const OUTPUT_FIELDS = new Set(['stdout', 'stderr', 'logs']);

/** Per-server values to hide: pids and names seen, the port and folder the placeholders chose. */
export class RunValues {
  readonly #pids = new Map<string, string>();
  readonly #names = new Map<string, string>();
  readonly #literals = new Map<string, string>();

  /** `port` and `dir` placeholders: replaced by `<port>` and `<dir>` wherever they appear. */
  hide(value: string, token: string): void {
    this.#literals.set(value, token);
  }

  /** Remembers a pid (`<pid1>`, `<pid2>`… in order of first sight). */
  pid(pid: string): void {
    if (!this.#pids.has(pid)) this.#pids.set(pid, `<pid${this.#pids.size + 1}>`);
  }

  /** Normalizes a string; `output` (process output) keeps its digits: they may look like a pid by chance. */
  text(value: string, output = false): string {
    let text = value;
    for (const [literal, token] of this.#literals) text = text.split(literal).join(token);
    text = text.replace(GENERATED_NAME, (name) => {
      if (!this.#names.has(name)) this.#names.set(name, `<name${this.#names.size + 1}>`);
      return this.#names.get(name) as string;
    });
    if (HTTP_DATE.test(text)) return '<date>';
    if (output) return summarize(text);
    return text.replace(/\d+/g, (digits) => this.#pids.get(digits) ?? digits);
  }

  /** Deep copy with every string normalized; arrays of objects sorted (the reference lists in map order). */
  json(value: unknown): unknown {
    this.#collectPids(value);
    return this.#normalize(value);
  }

  #collectPids(value: unknown): void {
    if (Array.isArray(value)) {
      for (const item of value) this.#collectPids(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const pid = (value as Record<string, unknown>).pid;
    if (typeof pid === 'string' && /^\d+$/.test(pid)) this.pid(pid);
  }

  #normalize(value: unknown, output = false): unknown {
    if (typeof value === 'string') return this.text(value, output);
    if (Array.isArray(value)) {
      const items = value.map((item) => this.#normalize(item));
      return items.every((item) => typeof item === 'object' && item !== null)
        ? items.sort((left, right) => JSON.stringify(left).localeCompare(JSON.stringify(right)))
        : items;
    }
    if (typeof value !== 'object' || value === null) return value;
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort())
      result[key] = this.#normalize((value as Record<string, unknown>)[key], OUTPUT_FIELDS.has(key));
    return result;
  }
}

/** Output longer than this is compared by size, digest and ends (a diff of the whole would drown the report). */
const LONG_OUTPUT_CHARACTERS = 2048;

function summarize(text: string): string {
  if (text.length <= LONG_OUTPUT_CHARACTERS) return text;
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return `<${text.length} characters, sha256 ${digest}, from ${JSON.stringify(text.slice(0, 40))} to ${JSON.stringify(text.slice(-40))}>`;
}

/**
 * A `/logs/stream` body as one entry per line: `stdout:<line>`, `stderr:<line>` or a bare
 * `[notice]`. A line without prefix continues the last prefixed stream (the reference prefixes
 * read chunks, not lines); empty lines and `[keepalive]` are dropped.
 */
export function streamLines(body: string, values: RunValues): string[] {
  const lines: string[] = [];
  let current = 'stdout';
  for (const raw of body.split('\n')) {
    const prefixed = PREFIXED.exec(raw);
    if (prefixed) current = prefixed[1] as string;
    const text = prefixed ? (prefixed[2] as string) : raw;
    if (text === '' || text === '[keepalive]') continue;
    lines.push(!prefixed && NOTICE.test(text) ? text : `${current}:${values.text(text, true)}`);
  }
  return lines;
}

/** An NDJSON exec stream: its output as {@link streamLines}, then `error:`/`result:` entries; keepalives dropped. */
export function ndjsonEntries(body: string, values: RunValues): unknown[] {
  const entries: unknown[] = [];
  let pending = '';
  const flush = (): void => {
    if (pending !== '') entries.push(...streamLines(pending, values));
    pending = '';
  };
  for (const line of body.split('\n')) {
    if (line.trim() === '') continue;
    let event: { type?: string; data?: string };
    try {
      event = JSON.parse(line) as { type?: string; data?: string };
    } catch {
      flush();
      entries.push(`unparsable:${values.text(line)}`);
      continue;
    }
    if (event.type === 'keepalive') continue;
    if (event.type === 'stdout' || event.type === 'stderr') {
      const data = event.data ?? '';
      pending += `${event.type}:${data}${data.endsWith('\n') ? '' : '\n'}`;
      continue;
    }
    flush();
    if (event.type === 'result') entries.push({ result: values.json(JSON.parse(event.data ?? 'null')) });
    else entries.push(`${event.type}:${values.text(event.data ?? '')}`);
  }
  flush();
  return entries;
}
