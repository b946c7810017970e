import { EntryPump } from '../http/entry-pump.js';
import { sendError, sendJson } from '../http/respond.js';
import type { RouteHandler } from '../http/router.js';
import type { LogEntry } from '../process/output-log.js';
import { inlineOutput, STRICT_RESPONSE_OUTPUT_BYTES } from '../process/process-json.js';
import { findOr404, NOT_FOUND_MESSAGES } from './process-routes.js';
import { isStrict, type ServerContext } from './server-context.js';

/**
 * `GET /process/{id}/logs`: `{stdout, stderr, logs}` from the retained output. The answer can be
 * megabytes that a slow client holds in the server's memory, so it takes a slot of the open-streams
 * limit until it is sent or the client leaves (429 when none is free).
 */
export function getLogs(server: ServerContext): RouteHandler {
  return (context) => {
    const managed = findOr404(server, context, NOT_FOUND_MESSAGES.logs);
    if (managed === undefined) return;
    const release = server.streams.acquire();
    if (release === undefined) return sendError(context.response, 429, 'too many open streams');
    context.response.once('finish', release).once('close', release);
    const strict = isStrict(server);
    const stdout = strict ? inlineOutput(managed.output, 'stdout', STRICT_RESPONSE_OUTPUT_BYTES, true) : managed.output.streamText('stdout');
    const stderr = strict ? inlineOutput(managed.output, 'stderr', STRICT_RESPONSE_OUTPUT_BYTES, true) : managed.output.streamText('stderr');
    const logs = strict ? stdout + stderr : managed.output.combinedText();
    sendJson(context.response, 200, { stdout, stderr, logs });
  };
}

/** `GET /process/{id}/logs/stream[?since=N]`: backlog then live, `stdout:`/`stderr:` prefixed. */
export function streamLogs(server: ServerContext): RouteHandler {
  return (context) => {
    const { response, url, signal } = context;
    const strict = isStrict(server);
    const identifier = context.params['id'] ?? '';
    const managed = server.manager.find(identifier);
    if (managed === undefined) {
      if (!strict) return void findOr404(server, context);
      response.writeHead(200, streamHeaders());
      response.end(JSON.stringify({ error: NOT_FOUND_MESSAGES.other(identifier) }));
      return;
    }
    const since = strict ? 0 : parseSince(url.searchParams.get('since'));
    if (since === undefined) return sendError(response, 400, 'since must be a non-negative integer');
    const release = server.streams.acquire();
    if (release === undefined) return sendError(response, 429, 'too many open streams');
    const cursor = managed.output.cursorAfterRecords(since);
    const backlogEnd = managed.output.nextSequence;
    response.writeHead(200, strict ? streamHeaders() : { ...streamHeaders(), 'X-Log-Offset': String(cursor.offset) });
    const formatGap = (count: number): string => `[Output truncated: ${count} records dropped]\n`;
    if (cursor.offset > since) response.write(formatGap(cursor.offset - since));
    else response.flushHeaders();
    const pump = new EntryPump({
      log: managed.output,
      response,
      startSequence: cursor.sequence,
      skipRecordsBelow: cursor.offset,
      format: strict ? strictFormat(backlogEnd) : formatLine,
      endAfter: strict ? (entry) => isLiveRestartNotice(entry, backlogEnd) : undefined,
      formatGap,
      onEnd: () => response.end(),
    });
    const keepalive = setInterval(() => {
      if (!pump.congested && !managed.output.ended) response.write('[keepalive]\n');
    }, server.options.keepaliveIntervalMs);
    const cleanup = (): void => {
      release();
      clearInterval(keepalive);
      pump.stop();
    };
    signal.addEventListener('abort', cleanup, { once: true });
    pump.pump();
  };
}

function streamHeaders(): Record<string, string> {
  return {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-cache',
    'X-Accel-Buffering': 'no',
  };
}

function formatLine(entry: LogEntry): string {
  return entry.stream === null ? `${entry.text}\n` : `${entry.stream}:${entry.text}\n`;
}

function formatChunk(entry: LogEntry): string {
  return entry.stream === null ? `${entry.text}\n` : `${entry.stream}:${entry.text}`;
}

/**
 * Strict mode, as the real server: live output as read chunks, live notices as `\n<notice>\n`, and a
 * restart notice once more as the stdout it also is (then the stream ends: see
 * {@link isLiveRestartNotice}). The backlog (entries before `backlogEnd`) as it replays its
 * combined log file: without stop and kill notices, restart notices as stdout (`stdout:`, `stdout:<notice>`).
 */
function strictFormat(backlogEnd: number): (entry: LogEntry) => string {
  return (entry) => {
    if (entry.stream !== null) return formatChunk(entry);
    if (entry.sequence >= backlogEnd) return entry.inStdout === true ? `\n${entry.text}\nstdout:\n${entry.text}\n` : `\n${entry.text}\n`;
    return entry.inStdout === true ? `stdout:\nstdout:${entry.text}\n` : '';
  };
}

/** The real server ends a live log stream (and an NDJSON exec) at a restart: the run it followed is over. */
export function isLiveRestartNotice(entry: LogEntry, backlogEnd: number): boolean {
  return entry.inStdout === true && entry.sequence >= backlogEnd;
}

function parseSince(value: string | null): number | undefined {
  if (value === null || value === '') return 0;
  if (!/^\d+$/.test(value)) return undefined;
  const since = Number(value);
  return Number.isSafeInteger(since) ? since : undefined;
}
