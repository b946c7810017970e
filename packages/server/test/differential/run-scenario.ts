/** Runs a scenario's steps against one server and records its normalized exchanges. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../reference/reference-server.js';
import { ndjsonEntries, RunValues, streamLines } from './normalize.js';
import { tokenizeRaces } from './racy-answers.js';
import type { ExchangeRecord, RequestStep, Scenario, UntilStep } from './scenario.js';

const UNTIL_TIMEOUT_MS = 30_000;
/** Bound of one exchange (a stream included), in milliseconds: a hang fails with the request named. */
const EXCHANGE_TIMEOUT_MS = 45_000;
const UNTIL_INTERVAL_MS = 50;

interface Saved {
  pid: string;
  name: string;
}

/** Runs `scenario` against the server at `baseUrl`. */
export async function runScenario(scenario: Scenario, baseUrl: string): Promise<ExchangeRecord[]> {
  const values = new RunValues();
  const saved = new Map<string, Saved>();
  const placeholders = new Map<string, string>();
  const folders: string[] = [];
  const fill = (text: string): string =>
    text.replace(/\{([a-z][\w]*)(\.name)?\}/gi, (whole, key: string, name?: string) => {
      if (key === 'port' || key === 'dir') return placeholders.get(key) ?? whole;
      const entry = saved.get(key);
      if (entry === undefined) throw new Error(`step uses {${key}} before it was saved`);
      return name ? entry.name : entry.pid;
    });
  const serialized = JSON.stringify(
    scenario.steps.map((step) => (step.kind === 'request' ? [step.path, step.body, step.rawBody] : step.path)),
  );
  if (serialized.includes('{port}')) {
    const port = String(await freePort());
    placeholders.set('port', port);
    values.hide(port, '<port>');
  }
  if (serialized.includes('{dir}')) {
    const folder = mkdtempSync(join(tmpdir(), 'sandproc-differential-'));
    folders.push(folder);
    placeholders.set('dir', folder);
    values.hide(folder, '<dir>');
  }
  const records: ExchangeRecord[] = [];
  try {
    for (const step of scenario.steps) {
      if (step.kind === 'until') await waitUntil(baseUrl, step, fill);
      else records.push(await exchange(baseUrl, step, fill, values, saved));
    }
  } finally {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  }
  return records;
}

async function exchange(
  baseUrl: string,
  step: RequestStep,
  fill: (text: string) => string,
  values: RunValues,
  saved: Map<string, Saved>,
): Promise<ExchangeRecord> {
  const headers: Record<string, string> = { ...step.headers };
  let body: string | undefined = step.rawBody;
  if (step.body !== undefined) {
    body = fill(JSON.stringify(step.body).replaceAll('"{port}"', '{port}'));
    headers['Content-Type'] ??= 'application/json';
  }
  const path = fill(step.path);
  const signal = AbortSignal.timeout(EXCHANGE_TIMEOUT_MS);
  let response: Response;
  let text: string;
  try {
    response = await fetch(baseUrl + path, { method: step.method, headers, body, signal });
    text = await response.text();
  } catch (error) {
    throw new Error(`${step.method} ${path} on ${baseUrl} failed: ${(error as Error).message}`, { cause: error });
  }
  const contentType = response.headers.get('content-type') ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const result =
    step.read === 'ndjson' && contentType.includes('ndjson')
      ? (JSON.parse(/"type":"result","data":("(?:[^"\\]|\\.)*")/.exec(text)?.[1] ?? 'null') as string | null)
      : undefined;
  if (step.save !== undefined) {
    const source = (result !== undefined && result !== null ? JSON.parse(result) : parsed) as
      | Partial<Saved>
      | undefined;
    if (typeof source?.pid === 'string' && typeof source.name === 'string')
      saved.set(step.save, { pid: source.pid, name: source.name });
    if (typeof source?.pid === 'string') values.pid(source.pid);
  }
  let normalized: unknown;
  if (step.read === 'stream' && response.status === 200 && contentType.startsWith('text/plain'))
    normalized = streamLines(text, values);
  else if (step.read === 'ndjson' && contentType.includes('ndjson')) normalized = ndjsonEntries(text, values);
  else if (parsed !== undefined && text.trim() !== '') normalized = values.json(parsed);
  else normalized = `text:${values.text(text)}`;
  const record = { request: `${step.method} ${step.path}`, status: response.status, contentType, body: normalized };
  return tokenizeRaces(step, record);
}

async function waitUntil(baseUrl: string, step: UntilStep, fill: (text: string) => string): Promise<void> {
  const deadline = Date.now() + UNTIL_TIMEOUT_MS;
  const path = fill(step.path);
  let last: unknown;
  for (;;) {
    const response = await fetch(baseUrl + path);
    last = await response.json().catch(() => undefined);
    if (response.ok && step.holds(last)) return;
    if (Date.now() > deadline)
      throw new Error(`GET ${path} never satisfied the condition; last answer: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, UNTIL_INTERVAL_MS));
  }
}
