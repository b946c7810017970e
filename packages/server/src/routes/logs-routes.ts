import { prefixedChunk, prefixedLines } from '../http/block-text.js';
import { EntryPump } from '../http/entry-pump.js';
import { writeLogsJson } from '../http/logs-json-writer.js';
import { sendError } from '../http/respond.js';
import type { RouteHandler } from '../http/router.js';
import { findOr404 } from './process-routes.js';
import { isStrict, type ServerContext } from './server-context.js';

/**
 * `GET /process/{id}/logs`: `{stdout, stderr, logs}` of the retained output, read from disk and
 * sent at the client's pace. It takes a slot of the open-streams limit until it is sent or the
 * client leaves (429 when none is free), and keeps the log's segments readable meanwhile.
 */
export function getLogs(server: ServerContext): RouteHandler {
  return async (context) => {
    const managed = findOr404(server, context);
    if (managed === undefined) return;
    const release = server.streams.acquire();
    if (release === undefined) return sendError(context.response, 429, 'too many open streams');
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
    const identifier = context.params['id'] ?? '';
    const managed = server.manager.find(identifier);
    if (managed === undefined) {
      if (!strict) return void findOr404(server, context);
      response.writeHead(200, streamHeaders());
      response.end(JSON.stringify({ error: `process with identifier '${identifier}' not found` }));
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
    const pump = new EntryPump({
      log: managed.output,
      response,
      startBlock: cursor.block,
      skipRecordsBelow: cursor.offset,
      format: strict ? prefixedChunk : prefixedLines,
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

function parseSince(value: string | null): number | undefined {
  if (value === null || value === '') return 0;
  if (!/^\d+$/.test(value)) return undefined;
  const since = Number(value);
  return Number.isSafeInteger(since) ? since : undefined;
}
