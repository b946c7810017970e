import type { ServerResponse } from 'node:http';
import type { OutputStream } from '../process/log-block.js';
import { readBlocks } from '../process/log-reading.js';
import type { LogSnapshot } from '../process/output-log.js';
import { jsonEscapedBytes } from './json-escape.js';
import { pacedWrite as write } from './paced-write.js';
import { NO_STORE_HEADERS } from './respond.js';

const NEWLINE = Buffer.from('\n');

/** Data read from disk per write, in bytes. */
const BATCH_BYTES = 64 * 1024;

/** Which blocks a field of the answer holds. */
type FieldStreams = readonly OutputStream[];

/**
 * Writes `{"stdout","stderr","logs"}` of a pinned log view as a chunked JSON answer, reading the
 * log from disk one batch at a time and waiting for the socket to drain in between, so that a
 * large log sent to a slow client costs one batch of memory. `logs` interleaves both streams in
 * read order, or (`concatenateLogs`, strict mode) is stdout followed by stderr. Resolves when the
 * answer is complete or the client left.
 */
export async function writeLogsJson(
  response: ServerResponse,
  snapshot: LogSnapshot,
  concatenateLogs: boolean,
): Promise<void> {
  response.writeHead(200, { ...NO_STORE_HEADERS, 'Content-Type': 'application/json; charset=utf-8' });
  const fields: [string, FieldStreams[]][] = [
    ['stdout', [['stdout']]],
    ['stderr', [['stderr']]],
    ['logs', concatenateLogs ? [['stdout'], ['stderr']] : [['stdout', 'stderr']]],
  ];
  let separator = '{';
  for (const [name, passes] of fields) {
    if (!(await write(response, `${separator}"${name}":"`))) return;
    for (const streams of passes) {
      if (!(await writeField(response, snapshot, streams))) return;
    }
    separator = '",';
  }
  response.end('"}');
}

async function writeField(response: ServerResponse, snapshot: LogSnapshot, streams: FieldStreams): Promise<boolean> {
  let next = snapshot.segments[0]?.firstBlock ?? snapshot.endBlock;
  while (next < snapshot.endBlock) {
    const blocks = readBlocks(snapshot.segments, next, BATCH_BYTES, snapshot.endBlock);
    if (blocks.length === 0) break;
    const pieces: Buffer[] = [];
    for (const block of blocks) {
      next = block.number + 1;
      if (block.stream !== null && streams.includes(block.stream)) pieces.push(jsonEscapedBytes(block.data));
      // A restart notice is part of stdout, as `\n<notice>\n` (as in the Process object's fields).
      else if (block.inStdout && streams.includes('stdout'))
        pieces.push(jsonEscapedBytes(Buffer.concat([NEWLINE, block.data, NEWLINE])));
    }
    const batch = Buffer.concat(pieces);
    if (batch.length > 0 && !(await write(response, batch))) return false;
  }
  const pending = Buffer.concat(streams.map((stream) => snapshot.partial[stream]));
  return pending.length === 0 || write(response, jsonEscapedBytes(pending));
}
