import { prefixedLines } from '../http/block-text.js';
import { EntryPump } from '../http/entry-pump.js';
import { probeEndedClient } from '../http/ended-client-probe.js';
import { writeLogsJson } from '../http/logs-json-writer.js';
import { sendError, sendJson } from '../http/respond.js';
import type { RouteHandler } from '../http/router.js';
import { inlineOutput, STRICT_RESPONSE_OUTPUT_BYTES } from '../process/process-json.js';
import { findOr404, NOT_FOUND_MESSAGES } from './process-routes.js';
import { isStrict, type ServerContext } from './server-context.js';
import { StrictLogStream } from './strict-log-stream.js';

/**
 * `GET /process/{id}/logs`: `{stdout, stderr, logs}` of the retained output, read from disk and
 * sent at the client's pace. It takes a slot of the open-streams limit until it is sent or the
 * client leaves (429 when none is free), and keeps the log's segments readable meanwhile.
 * Strict mode answers as the real server: at most the last 4 MiB of each stream, after its
 * truncation marker when cut (built in memory, as that bound allows).
 */
export function getLogs(server: ServerContext): RouteHandler {
  return async (context) => {
    const managed = findOr404(server, context, NOT_FOUND_MESSAGES.logs);
    if (managed === undefined) return;
    const release = server.streams.acquire();
    if (release === undefined) return sendError(context.response, 429, 'too many open streams');
    if (isStrict(server)) {
      context.response.once('finish', release).once('close', release);
      const { stdout, stderr } = managed.output.readSession(() => ({
        stdout: inlineOutput(managed.output, 'stdout', STRICT_RESPONSE_OUTPUT_BYTES, true),
        stderr: inlineOutput(managed.output, 'stderr', STRICT_RESPONSE_OUTPUT_BYTES, true),
      }));
      return sendJson(context.response, 200, { stdout, stderr, logs: stdout + stderr });
    }
    const snapshot = managed.output.snapshot();
    try {
      await writeLogsJson(context.response, snapshot, isStrict(server));
    } finally {
      snapshot.release();
      release();
    }
  };
}

/** `GET /process/{id}/logs/stream[?since=N]`: backlog then live, `stdout:`/`stderr:` prefixed. */
export function streamLogs(server: ServerContext): RouteHandler {
  return (context) => {
    const { response, url, signal } = context;
    const strict = isStrict(server);
    const identifier = context.params.id ?? '';
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
    response.writeHead(200, strict ? streamHeaders() : { ...streamHeaders(), 'X-Log-Offset': String(cursor.offset) });
    const formatGap = (count: number): string => `[Output truncated: ${count} records dropped]\n`;
    if (cursor.offset > since) response.write(formatGap(cursor.offset - since));
    else response.flushHeaders();
    const pump = strict
      ? new StrictLogStream({
          log: managed.output,
          response,
          restartsBegun: managed.restartCount,
          restartPending: managed.pendingRestart !== undefined,
          startBlock: cursor.block,
          skipRecordsBelow: cursor.offset,
          formatGap,
          onEnd: () => response.end(),
        })
      : new EntryPump({
          log: managed.output,
          response,
          startBlock: cursor.block,
          skipRecordsBelow: cursor.offset,
          format: prefixedLines,
          formatGap,
          onEnd: () => response.end(),
        });
    const writeKeepalive = (): void => {
      if (!pump.congested && !managed.output.ended) response.write('[keepalive]\n');
    };
    const keepalive = setInterval(writeKeepalive, server.options.keepaliveIntervalMs);
    const stopProbes = probeEndedClient(context.request.socket, writeKeepalive);
    const cleanup = (): void => {
      release();
      clearInterval(keepalive);
      stopProbes();
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

function parseSince(value: string | null): number | undefined {
  if (value === null || value === '') return 0;
  if (!/^\d+$/.test(value)) return undefined;
  const since = Number(value);
  return Number.isSafeInteger(since) ? since : undefined;
}
