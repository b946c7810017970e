import type { ServerResponse } from 'node:http';
import { ndjsonEvents } from '../http/block-text.js';
import { EntryPump } from '../http/entry-pump.js';
import { parseJson, readBody } from '../http/read-body.js';
import { sendError, sendJson } from '../http/respond.js';
import type { RouteHandler } from '../http/router.js';
import type { ManagedProcess } from '../process/managed-process.js';
import { ProcessStartError } from '../process/process-manager.js';
import { toProcessJson } from '../process/process-json.js';
import type { ProcessRequest } from '../process/process-status.js';
import { waitForExit, waitForPorts } from '../process/wait-for-ports.js';
import { parseFirstJsonValue } from '../validation/first-json-value.js';
import { validateProcessRequest } from '../validation/process-request.js';
import { isLiveRestartNotice } from './strict-log-stream.js';
import { isStrict, type ServerContext } from './server-context.js';

/** `POST /process`: start a process; JSON answer, or NDJSON with `Accept: text/event-stream`. */
export function execProcess(server: ServerContext): RouteHandler {
  return async ({ request, response, signal }) => {
    const body = await readBody(request, server.options.maxBodyBytes);
    if (body.kind === 'aborted') return;
    if (body.kind === 'too-large') return sendError(response, 413, 'request body too large');
    const parsed = isStrict(server) ? parseFirstJsonValue(body.body) : parseJson(body.body);
    if (!parsed.ok) {
      return sendError(response, 400, `invalid request body: ${'error' in parsed ? parsed.error : 'malformed JSON'}`);
    }
    const validation = validateProcessRequest(parsed.value, { allowIntegerNames: isStrict(server) });
    if (!validation.ok) return sendError(response, 400, validation.error);
    const processRequest = validation.value;
    const wantsStream = (request.headers.accept ?? '').includes('text/event-stream');
    const release = wantsStream ? server.streams.acquire() : undefined;
    if (wantsStream && release === undefined) return sendError(response, 429, 'too many open streams');
    signal.addEventListener('abort', () => release?.(), { once: true });
    let managed: ManagedProcess;
    try {
      managed = await server.manager.start(processRequest);
    } catch (error) {
      const status = error instanceof ProcessStartError ? error.status : 422;
      const message = error instanceof ProcessStartError ? error.message : 'failed to start process';
      // The real server sends the stream's headers before it starts the process: a start failure
      // then arrives as an NDJSON error event.
      if (wantsStream && status === 422 && isStrict(server)) return sendStreamedStartError(response, message);
      return sendError(response, status, message);
    }
    if (wantsStream) return streamExec(server, managed, processRequest, response, signal);
    await answerWhenReady(server, managed, processRequest, response, signal);
  };
}

async function answerWhenReady(
  server: ServerContext,
  managed: ManagedProcess,
  processRequest: ProcessRequest,
  response: ServerResponse,
  clientGone: AbortSignal,
): Promise<void> {
  const timeoutSeconds = processRequest.timeout ?? 0;
  const deadline = new AbortController();
  const onClientGone = (): void => deadline.abort();
  clientGone.addEventListener('abort', onClientGone, { once: true });
  const timer = timeoutSeconds > 0 ? setTimeout(() => deadline.abort(), timeoutSeconds * 1000) : undefined;
  try {
    if (processRequest.waitForPorts && processRequest.waitForPorts.length > 0) {
      const outcome = await waitForPorts(processRequest.waitForPorts, managed, deadline.signal, !isStrict(server));
      if (outcome === 'finished') {
        return sendError(
          response,
          422,
          `process exited before ports ${processRequest.waitForPorts.join(', ')} accepted connections`,
        );
      }
      if (outcome === 'aborted')
        return timedOut(response, clientGone, `process timed out waiting for ports after ${timeoutSeconds} seconds`);
    }
    if (processRequest.waitForCompletion) {
      const outcome = await waitForExit(managed, deadline.signal);
      if (outcome === 'aborted')
        return timedOut(response, clientGone, `process timed out after ${timeoutSeconds} seconds`);
    }
    sendJson(
      response,
      200,
      toProcessJson(managed, processRequest.waitForCompletion ? 'waited' : 'started', isStrict(server)),
    );
  } finally {
    clearTimeout(timer);
    clientGone.removeEventListener('abort', onClientGone);
  }
}

function sendStreamedStartError(response: ServerResponse, message: string): void {
  response.writeHead(200, {
    'Content-Type': 'application/x-ndjson',
    'Cache-Control': 'no-cache',
    'X-Accel-Buffering': 'no',
  });
  response.end(`${JSON.stringify({ type: 'error', data: message })}\n`);
}

function timedOut(response: ServerResponse, clientGone: AbortSignal, message: string): void {
  if (clientGone.aborted) return;
  sendError(response, 422, message);
}

function streamExec(
  server: ServerContext,
  managed: ManagedProcess,
  processRequest: ProcessRequest,
  response: ServerResponse,
  clientGone: AbortSignal,
): void {
  const strict = isStrict(server);
  response.writeHead(200, {
    'Content-Type': 'application/x-ndjson',
    'Cache-Control': 'no-cache, no-store',
    'X-Accel-Buffering': 'no',
  });
  response.flushHeaders();
  const line = (value: unknown): string => `${JSON.stringify(value)}\n`;
  let timer: NodeJS.Timeout | undefined;
  const pump = new EntryPump({
    log: managed.output,
    response,
    startBlock: 0,
    skipRecordsBelow: 0,
    format: (block, skipRecords) => ndjsonEvents(block, skipRecords, strict),
    formatGap: (count) => line({ type: 'error', data: `output truncated: ${count} records dropped` }),
    endAfter: strict ? (block) => isLiveRestartNotice(block, 0) : undefined,
    onEnd: () => {
      cleanup();
      response.end(line({ type: 'result', data: JSON.stringify(toProcessJson(managed, 'one', strict)) }));
    },
  });
  const keepalive = setInterval(() => {
    if (!pump.congested) response.write(line({ type: 'keepalive' }));
  }, server.options.ndjsonKeepaliveIntervalMs);
  const cleanup = (): void => {
    clearInterval(keepalive);
    clearTimeout(timer);
    pump.stop();
  };
  // The real server's NDJSON exec ignores `timeout` (it streams until the process ends).
  const timeoutSeconds = strict ? 0 : (processRequest.timeout ?? 0);
  if (timeoutSeconds > 0) {
    timer = setTimeout(() => {
      cleanup();
      response.write(line({ type: 'error', data: `process timed out after ${timeoutSeconds} seconds` }));
      response.end(line({ type: 'result', data: JSON.stringify(toProcessJson(managed, 'one', strict)) }));
    }, timeoutSeconds * 1000);
  }
  clientGone.addEventListener('abort', cleanup, { once: true });
  pump.pump();
}
