import { readBody } from '../http/read-body.js';
import { sendError, sendMessage } from '../http/respond.js';
import type { RouteHandler } from '../http/router.js';
import { findOr404 } from './process-routes.js';
import type { ServerContext } from './server-context.js';

const STDIN_ERRORS = {
  'no-stdin': 'process was not started with stdin: true',
  closed: 'stdin of the process is closed',
  exited: 'process has exited',
} as const;

/** `POST /process/{id}/stdin`: the raw body, written verbatim. */
export function writeStdin(server: ServerContext): RouteHandler {
  return async (context) => {
    const { request, response } = context;
    const body = await readBody(request, server.options.maxStdinBytes);
    if (body.kind === 'aborted') return;
    const managed = findOr404(server, context);
    if (managed === undefined) return;
    if (body.kind === 'too-large') {
      return sendError(response, 413, `stdin body larger than ${server.options.maxStdinBytes} bytes`);
    }
    const result = managed.writeStdin(body.body);
    if (result === 'full') return sendError(response, 429, 'stdin buffer full: the process is not reading its input');
    if (result !== 'written') return sendError(response, 409, STDIN_ERRORS[result]);
    sendMessage(response, 'Data written to stdin');
  };
}

/** `DELETE /process/{id}/stdin`: EOF. Idempotent. */
export function closeStdin(server: ServerContext): RouteHandler {
  return (context) => {
    const managed = findOr404(server, context);
    if (managed === undefined) return;
    managed.closeStdin();
    sendMessage(context.response, 'stdin closed');
  };
}
