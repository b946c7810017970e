import type { ServerResponse } from 'node:http';
import { prefixedChunk } from '../http/block-text.js';
import { EntryPump } from '../http/entry-pump.js';
import type { LogBlock, OutputLog, OutputStream } from '../process/output-log.js';

/** What a strict-mode log stream reads and where it writes. */
export interface StrictLogStreamOptions {
  log: OutputLog;
  response: ServerResponse;
  /** Restarts that had begun when the stream was opened (a restart re-reads the run's log files). */
  restartsBegun: number;
  /**
   * Whether the process was waiting for a restart when the stream was opened: the real server then
   * sends the backlog and ends (the run the stream would follow is over, the next not begun).
   */
  restartPending: boolean;
  /** First block to send (the first retained one). */
  startBlock: number;
  /** Records with a lower index are not sent (those dropped before the stream opened, already announced). */
  skipRecordsBelow: number;
  /** Text announcing that `count` records were dropped before they could be sent. */
  formatGap: (count: number) => string | undefined;
  /** Called once the stream is complete (the response is still open). */
  onEnd: () => void;
}

const RESTART_ATTEMPT = /Attempting restart (\d+)\//;
const NEWLINE = 0x0a;
/** What the real server's tailer reads from a log file at a time, in bytes. */
const TAILER_READ_BYTES = 4096;
const PREFIXES = { stdout: Buffer.from('stdout:'), stderr: Buffer.from('stderr:') } as const;

/**
 * A log stream in strict mode, as the real server sends it: its backlog as it replays its combined
 * log file, then live output until the end or a restart.
 *
 * The real server's combined log file is written by one tailer per run, and each run's tailer reads
 * the stdout and stderr files from their start. So after each restart the file holds, once more, all
 * the stdout so far (restart notices included) and then all the stderr so far, before the new run's
 * output: with `echo run` and two restarts, a backlog replays `run n1 | run n1 run n2 | run n1 run n2
 * run`. This stream does the same from the log on disk: one pass over the blocks for the runs, and
 * at each restart notice whose restart had begun, a pass over the stdout and one over the stderr
 * blocks up to it, each prefixed per line as that tailer writes them. It never holds more than one
 * batch of the log in memory.
 */
export class StrictLogStream {
  readonly #options: StrictLogStreamOptions;
  /** Blocks before this one are the backlog; later ones are live. */
  readonly #backlogEnd: number;
  #pump: EntryPump | undefined;
  #stopped = false;

  constructor(options: StrictLogStreamOptions) {
    this.#options = options;
    this.#backlogEnd = options.log.nextBlock;
  }

  /** True while the socket asked us to wait. */
  get congested(): boolean {
    return this.#pump?.congested ?? false;
  }

  /** Starts sending from the first block (as {@link EntryPump.pump} does). */
  pump(): void {
    this.#runs(this.#options.startBlock, this.#options.skipRecordsBelow);
  }

  /** Stops reading the log (client gone or stream complete). */
  stop(): void {
    this.#stopped = true;
    this.#pump?.stop();
  }

  /** The runs' own blocks from `startBlock`, until a replayed restart (then its re-read) or the end. */
  #runs(startBlock: number, skipRecordsBelow = 0): void {
    let restartAt: number | undefined;
    this.#next({
      startBlock,
      skipRecordsBelow,
      formatGap: this.#options.formatGap,
      format: (block) => formatRunBlock(block, this.#backlogEnd),
      endAfter: (block) => {
        if (isLiveRestartNotice(block, this.#backlogEnd)) return true;
        if (this.#options.restartPending && block.number >= this.#backlogEnd - 1) return true;
        if (this.#isReplayedRestart(block)) restartAt = block.number;
        return restartAt !== undefined;
      },
      onEnd: () => {
        if (restartAt === undefined) return this.#options.onEnd();
        const notice = restartAt;
        this.#reread('stdout', notice, () => this.#reread('stderr', notice, () => this.#runs(notice + 1)));
      },
    });
  }

  /** What the tailer of the run after the restart notice `notice` copies of one stream's file: all of it so far. */
  #reread(stream: OutputStream, notice: number, then: () => void): void {
    let atLineStart = true;
    let fileOffset = 0;
    this.#next({
      startBlock: 0,
      skipRecordsBelow: 0,
      // What retention dropped was announced once, in the pass over the runs.
      formatGap: () => undefined,
      format: (block) => {
        if (block.number > notice) return undefined;
        const text = fileBytes(block, stream);
        if (text === undefined || text.length === 0) return undefined;
        const prefixed = prefixReads(text, PREFIXES[stream], atLineStart, { fileOffset, readBytes: TAILER_READ_BYTES });
        atLineStart = text[text.length - 1] === NEWLINE;
        fileOffset += text.length;
        return prefixed;
      },
      endAfter: (block) => block.number >= notice,
      onEnd: then,
    });
  }

  #next(pass: {
    startBlock: number;
    skipRecordsBelow: number;
    formatGap: (count: number) => string | undefined;
    format: (block: LogBlock) => string | Buffer | undefined;
    endAfter: (block: LogBlock) => boolean;
    onEnd: () => void;
  }): void {
    if (this.#stopped) return;
    this.#pump?.stop();
    this.#pump = new EntryPump({
      log: this.#options.log,
      response: this.#options.response,
      startBlock: pass.startBlock,
      skipRecordsBelow: pass.skipRecordsBelow,
      format: pass.format,
      formatGap: pass.formatGap,
      endAfter: pass.endAfter,
      onEnd: pass.onEnd,
    });
    this.#pump.pump();
  }

  /** A restart notice of the backlog whose restart had begun when the stream opened. */
  #isReplayedRestart(block: LogBlock): boolean {
    if (block.number >= this.#backlogEnd || !block.inStdout) return false;
    const attempt = Number(RESTART_ATTEMPT.exec(block.data.toString('utf8'))?.[1] ?? Number.NaN);
    return attempt <= this.#options.restartsBegun;
  }
}

/**
 * A block of the runs, as the real server sends it: live output as read chunks, live notices as
 * `\n<notice>\n`, and a restart notice once more as the stdout it also is (then the stream ends: see
 * {@link isLiveRestartNotice}). In the backlog (blocks before `backlogEnd`), as it replays its combined
 * log file: without stop and kill notices, restart notices as stdout (`stdout:`, `stdout:<notice>`).
 */
function formatRunBlock(block: LogBlock, backlogEnd: number): string | Buffer {
  if (block.stream !== null)
    return block.number >= backlogEnd ? prefixedChunk(block) : prefixReads(block.data, PREFIXES[block.stream], true);
  const text = block.data.toString('utf8');
  if (block.number >= backlogEnd) return block.inStdout ? `\n${text}\nstdout:\n${text}\n` : `\n${text}\n`;
  return block.inStdout ? `stdout:\nstdout:${text}\n` : '';
}

/** The real server ends a live log stream (and an NDJSON exec) at a restart: the run it followed is over. */
export function isLiveRestartNotice(block: LogBlock, backlogEnd: number): boolean {
  return block.inStdout && block.number >= backlogEnd;
}

/** The bytes a block put in the real server's log file of `stream` (a restart notice is in stdout's), if any. */
function fileBytes(block: LogBlock, stream: OutputStream): Buffer | undefined {
  if (block.stream === stream) return block.data;
  if (block.stream === null && block.inStdout && stream === 'stdout') return Buffer.from(`\n${block.data}\n`);
  return undefined;
}

/**
 * `data` as the real server's tailer writes it into its combined log file: `prefix` at the start of
 * each read and before each line that begins inside a read. With `reads`, reads are `readBytes`
 * windows of a file at `fileOffset` (a file read from its start, as after a restart); without, the
 * whole of `data` is one read. `atLineStart` says whether the byte before `data` ended a line.
 */
export function prefixReads(
  data: Buffer,
  prefix: Buffer,
  atLineStart: boolean,
  reads?: { fileOffset: number; readBytes: number },
): Buffer {
  const pieces: Buffer[] = [];
  const startsRead = (position: number): boolean =>
    reads === undefined ? position === 0 : (reads.fileOffset + position) % reads.readBytes === 0;
  let start = 0;
  let newline = data.indexOf(NEWLINE);
  let window = reads === undefined ? Number.POSITIVE_INFINITY : reads.readBytes - (reads.fileOffset % reads.readBytes);
  if (startsRead(0) || atLineStart) pieces.push(prefix);
  for (;;) {
    // The next cut: after a newline with a byte behind it, or at the next read's start.
    if (newline !== -1 && newline + 1 < window) {
      const cut = newline + 1;
      newline = data.indexOf(NEWLINE, cut);
      if (cut >= data.length) break;
      pieces.push(data.subarray(start, cut), prefix);
      start = cut;
      continue;
    }
    if (window >= data.length) break;
    const cut = window;
    window += reads?.readBytes ?? Number.POSITIVE_INFINITY;
    if (newline !== -1 && newline + 1 === cut) newline = data.indexOf(NEWLINE, cut);
    pieces.push(data.subarray(start, cut), prefix);
    start = cut;
  }
  pieces.push(data.subarray(start));
  return Buffer.concat(pieces);
}
