/**
 * The differential suite's scenario format: a scenario is a list of steps run against the
 * reference server and against ours in strict and extended mode; every `request` step is one
 * recorded exchange (status, content type, normalized body). A new case takes a few lines:
 *
 * ```ts
 * scenario('exit code without wait', [post({ command: 'sleep 0.2; exit 3' }, { save: 'a' }), finished('a'), get('/process/{a}')]);
 * ```
 *
 * Paths and bodies may hold placeholders: `{a}` is the pid saved under `a` (`{a.name}` its name),
 * `{port}` a free TCP port (the JSON string `"{port}"` becomes a number) and `{dir}` an empty
 * temporary folder, both chosen per server.
 */

/** How the body of an answer is read and normalized. */
export type ReadAs = 'auto' | 'stream' | 'ndjson';

/** One HTTP exchange. */
export interface RequestStep {
  kind: 'request';
  method: string;
  path: string;
  /** Sent as JSON (placeholders in strings are replaced). */
  body?: unknown;
  /** Sent as is, e.g. malformed JSON. */
  rawBody?: string;
  headers?: Record<string, string>;
  read: ReadAs;
  /** Save the answer's `pid` and `name` under this key. */
  save?: string;
  /**
   * The answer of a `POST /process` that does not wait, for a command that writes at once: whether
   * its `stdout`, `stderr` and `logs` already hold that output is a race inside the real server, so
   * they are recorded as one token (what ours answers there is tested in strict-mode.test.ts).
   */
  outputAtAnswerVaries?: boolean;
  /**
   * A kill (or stop) of a process that has ended: the real server signals the process group, so it
   * answers 200 while any member of the group is still there (an orphan of the command, or its
   * zombie under a PID 1 that does not reap, as sandbox-api is in a container) and 404
   * `no such process` once there is none. Which one depends on the command's shell (bash runs the
   * last command of a list in its own process, dash forks it) and on the host's PID 1, so either
   * answer is recorded as one token; any other answer is recorded as it is.
   */
  endedGroupVaries?: boolean;
  /**
   * A stream opened right after a restart notice was written: the real server's tailer may not have
   * copied the notice into its combined log file yet, and the stream then shows it as written live
   * (a bare line) rather than read back (`stdout:`). Both are recorded as one token.
   */
  noticeFramingVaries?: boolean;
}

/** Polls `GET path` (not recorded) until `holds(body)`. */
export interface UntilStep {
  kind: 'until';
  path: string;
  /** A method, so checked bivariantly: `until` takes a predicate over the body's expected shape. */
  holds(body: unknown): boolean;
}

export type Step = RequestStep | UntilStep;

/** Where a mode of ours is declared to differ from the reference (PROTOCOL.md §7–8 or a lane not merged yet). */
export interface DeclaredDifference {
  /** The mode that differs. */
  mode: 'extended' | 'strict';
  /** Where it is declared, e.g. `PROTOCOL.md §7`. */
  declaredIn: string;
  /** Checks the reference's records show the reference's behaviour. */
  reference: (records: ExchangeRecord[]) => void;
  /** Checks our records in that mode show ours. */
  ours: (records: ExchangeRecord[]) => void;
}

export interface Scenario {
  title: string;
  steps: Step[];
  /** Run on servers of its own (it lists every process, or leaves state behind). */
  fresh?: boolean;
  differences?: DeclaredDifference[];
}

/** One recorded exchange after normalization. */
export interface ExchangeRecord {
  request: string;
  status: number;
  contentType: string;
  body: unknown;
}

export function scenario(title: string, steps: Step[], extra: Omit<Scenario, 'title' | 'steps'> = {}): Scenario {
  return { title, steps, ...extra };
}

/** Any request. */
export function request(
  method: string,
  path: string,
  options: Partial<Omit<RequestStep, 'kind' | 'method' | 'path'>> = {},
): RequestStep {
  return { kind: 'request', method, path, read: 'auto', ...options };
}

/** `POST /process` with a JSON body. */
export function post(
  body: unknown,
  options: Partial<Omit<RequestStep, 'kind' | 'method' | 'path' | 'body'>> = {},
): RequestStep {
  return request('POST', '/process', { body, ...options });
}

/** `POST /process` with `Accept: text/event-stream` (answered as NDJSON). */
export function postStreaming(
  body: unknown,
  options: Partial<Omit<RequestStep, 'kind' | 'method' | 'path' | 'body'>> = {},
): RequestStep {
  return request('POST', '/process', { body, read: 'ndjson', headers: { Accept: 'text/event-stream' }, ...options });
}

export function get(path: string): RequestStep {
  return request('GET', path);
}

export function del(path: string, options: Partial<Omit<RequestStep, 'kind' | 'method' | 'path'>> = {}): RequestStep {
  return request('DELETE', path, options);
}

/** `GET …/logs/stream` read to its end. */
export function stream(
  path: string,
  options: Partial<Omit<RequestStep, 'kind' | 'method' | 'path'>> = {},
): RequestStep {
  return request('GET', path, { read: 'stream', ...options });
}

export function until<Body>(path: string, holds: (body: Body) => boolean): UntilStep {
  return { kind: 'until', path, holds };
}

/**
 * Done: not running and `completedAt` set. The reference reports `stopped`/`killed` as soon as it
 * sent the signal, and sets `completedAt` and `exitCode` only once the process is reaped.
 */
const isDone = (process: { status?: string; completedAt?: string | null }): boolean =>
  process.status !== 'running' && Boolean(process.completedAt);

/** Waits until the process saved under `key` is done. */
export function finished(key: string): UntilStep {
  return until(`/process/{${key}}`, isDone);
}

/** Waits until the process saved under `key` has `text` in its stdout. */
export function printed(key: string, text: string): UntilStep {
  return until(`/process/{${key}}`, (process: { stdout?: string | null }) => (process.stdout ?? '').includes(text));
}

/** A declared difference of one mode (see {@link DeclaredDifference}). */
export function differs(
  mode: 'extended' | 'strict',
  declaredIn: string,
  reference: (records: ExchangeRecord[]) => void,
  ours: (records: ExchangeRecord[]) => void,
): DeclaredDifference {
  return { mode, declaredIn, reference, ours };
}

/** The same declared difference in both of our modes. */
export function differsInBoth(
  declaredIn: string,
  reference: (records: ExchangeRecord[]) => void,
  ours: (records: ExchangeRecord[]) => void,
): DeclaredDifference[] {
  return [differs('strict', declaredIn, reference, ours), differs('extended', declaredIn, reference, ours)];
}

/** Waits until the process named `name` (not a saved key) is done. */
export function finishedNamed(name: string): UntilStep {
  return until(`/process/${name}`, isDone);
}

/** The body of the `index`-th exchange, as a record of fields. */
export function bodyOf(records: ExchangeRecord[], index: number): Record<string, unknown> {
  return (records[index]?.body ?? {}) as Record<string, unknown>;
}
