import type { ServerResponse } from 'node:http';
import type { ManagedProcess } from '../process/managed-process.js';
import { toProcessJson } from '../process/process-json.js';
import { pacedWrite } from './paced-write.js';
import { NO_STORE_HEADERS } from './respond.js';

/** JSON text built per write, in characters. */
const BATCH_CHARACTERS = 64 * 1024;

/**
 * Writes the `GET /process` answer, a JSON array of the Process objects of `processes`, as a
 * chunked answer built a batch at a time: the next batch is built once the socket took the last
 * one, so a list of a thousand processes sent to many clients that read slowly (or not at all)
 * costs each of them one batch of memory, not the whole list. Each object is read from its
 * process as it is written. Resolves when the answer is complete or the client left.
 */
export async function writeListJson(
  response: ServerResponse,
  processes: readonly ManagedProcess[],
  strict: boolean,
  headers: Record<string, string>,
): Promise<void> {
  response.writeHead(200, { ...NO_STORE_HEADERS, 'Content-Type': 'application/json; charset=utf-8', ...headers });
  let batch = '[';
  for (const [index, managed] of processes.entries()) {
    batch += (index === 0 ? '' : ',') + JSON.stringify(toProcessJson(managed, 'list', strict));
    if (batch.length >= BATCH_CHARACTERS) {
      if (!(await pacedWrite(response, batch))) return;
      batch = '';
    }
  }
  response.end(`${batch}]`);
}
