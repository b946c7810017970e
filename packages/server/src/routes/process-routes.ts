import type { ServerResponse } from 'node:http';
import { parseJson, readBody } from '../http/read-body.js';
import { matchesIfNoneMatch } from '../http/entity-tag.js';
import { writeListJson } from '../http/list-json-writer.js';
import { NO_STORE_HEADERS, sendError, sendJson, sendMessage } from '../http/respond.js';
import type { RouteContext, RouteHandler } from '../http/router.js';
import type { ManagedProcess } from '../process/managed-process.js';
import { toProcessJson } from '../process/process-json.js';
import { parseSignalName } from '../process/signal-group.js';
import { isStrict, type ServerContext } from './server-context.js';

/** The 404 message of a route for an unknown `{id}`, worded per route as the real server words it. */
export const NOT_FOUND_MESSAGES = {
  get: () => 'process not found',
  logs: (identifier: string) => `process with PID ${identifier} not found`,
  other: (identifier: string) => `process with Identifier ${identifier} not found`,
} as const;

/** Finds `{id}` or answers 404 with the route's message (default: `process with Identifier … not found`). */
export function findOr404(
  server: ServerContext,
  context: RouteContext,
  message: (identifier: string) => string = NOT_FOUND_MESSAGES.other,
): ManagedProcess | undefined {
  const identifier = context.params.id ?? '';
  const managed = server.manager.find(identifier);
  if (managed === undefined) sendError(context.response, 404, message(identifier));
  return managed;
}

/**
 * `GET /process`: every process kept (running ones and the newest finished ones), sent at the
 * client's pace (see `writeListJson`). In extended mode with an `ETag`; a matching `If-None-Match`
 * answers 304 without building the list.
 */
export function listProcesses(server: ServerContext): RouteHandler {
  return ({ request, response }) => {
    const strict = isStrict(server);
    const tag = strict ? undefined : `"list-${server.instanceTag}-${server.manager.listRevision()}"`;
    if (tag !== undefined && matchesIfNoneMatch(request, tag)) return notModified(response, tag);
    return writeListJson(response, [...server.manager.list()], strict, tag ? { ETag: tag } : {});
  };
}

/** `GET /process/{id}`, with an `ETag` in extended mode (304 to a matching `If-None-Match`). */
export function getProcess(server: ServerContext): RouteHandler {
  return (context) => {
    const managed = findOr404(server, context, NOT_FOUND_MESSAGES.get);
    if (managed === undefined) return;
    const strict = isStrict(server);
    const tag = strict ? undefined : `"process-${server.instanceTag}-${managed.pid}-${managed.revision}"`;
    if (tag !== undefined && matchesIfNoneMatch(context.request, tag)) return notModified(context.response, tag);
    sendJson(context.response, 200, toProcessJson(managed, 'one', strict), tag ? { ETag: tag } : {});
  };
}

function notModified(response: ServerResponse, tag: string): void {
  response.writeHead(304, { ...NO_STORE_HEADERS, ETag: tag });
  response.end();
}

/**
 * `DELETE /process/{id}`: SIGTERM to the group. In extended mode, a process that exited by itself
 * while members of its group live on (a background child) gets them signalled; strict mode answers
 * 404 then, as the real server does.
 */
export function stopProcess(server: ServerContext): RouteHandler {
  return (context) => {
    const managed = findOr404(server, context);
    if (managed === undefined) return;
    if (managed.stop()) return sendMessage(context.response, 'Process stopped successfully');
    if (!isStrict(server) && managed.signalLeftovers('SIGTERM')) {
      return sendMessage(context.response, leftoversMessage('SIGTERM'));
    }
    sendError(context.response, 404, `process with Identifier ${context.params.id ?? ''} is not running`);
  };
}

function leftoversMessage(signal: NodeJS.Signals): string {
  return `Process had already exited; ${signal} sent to the members of its process group that were still running`;
}

/**
 * `DELETE /process/{id}/kill`: SIGKILL (or the body's `signal`, extended mode) to the group; in
 * extended mode also to the remaining group members of a finished process (see {@link stopProcess}).
 */
export function killProcess(server: ServerContext): RouteHandler {
  return async (context) => {
    const { request, response } = context;
    const body = await readBody(request, server.options.maxBodyBytes);
    if (body.kind === 'aborted') return;
    if (body.kind === 'too-large') return sendError(response, 413, 'request body too large');
    let signal: NodeJS.Signals = 'SIGKILL';
    if (!isStrict(server)) {
      const parsed = parseJson(body.body);
      if (!parsed.ok) return sendError(response, 400, 'invalid JSON body');
      const value = parsed.value;
      if (value !== undefined && value !== null) {
        if (typeof value !== 'object' || Array.isArray(value))
          return sendError(response, 400, 'request body must be a JSON object');
        const given = (value as Record<string, unknown>).signal;
        if (given !== undefined && given !== null) {
          const name = typeof given === 'string' ? parseSignalName(given) : undefined;
          if (name === undefined)
            return sendError(response, 400, 'signal must be a POSIX signal name such as "SIGINT"');
          signal = name;
        }
      }
    }
    const managed = findOr404(server, context);
    if (managed === undefined) return;
    if (managed.kill(signal)) return sendMessage(response, 'Process killed successfully');
    if (!isStrict(server) && managed.signalLeftovers(signal)) return sendMessage(response, leftoversMessage(signal));
    sendError(response, 404, `failed to kill process with Identifier ${context.params.id ?? ''}: no such process`);
  };
}
