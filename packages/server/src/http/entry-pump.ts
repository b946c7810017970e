import type { ServerResponse } from 'node:http';
import type { LogBlock, OutputLog } from '../process/output-log.js';
import { outputBuffers } from './output-buffers.js';

/** How a pump turns blocks into bytes on the wire. */
export interface EntryPumpOptions {
  log: OutputLog;
  response: ServerResponse;
  /** Number of the first block to consider. */
  startBlock: number;
  /** Records with a lower index are skipped (a `since` in the middle of a block or beyond what exists yet). */
  skipRecordsBelow: number;
  /**
   * Text or bytes for one block whose first `skipRecords` records are left out, or `undefined` to
   * send nothing for it. Bytes may be written in a buffer from `allocate`, which the pump reuses
   * once the socket has written them.
   */
  format: (block: LogBlock, skipRecords: number, allocate: (size: number) => Buffer) => string | Buffer | undefined;
  /** Text announcing that `count` records were dropped before they could be sent. */
  formatGap: (count: number) => string | undefined;
  /** Called once every block was written and the log ended (the response is still open). */
  onEnd: () => void;
  /** Ends the pump (then `onEnd`) right after this block is written, log ended or not. Default: never. */
  endAfter?: (block: LogBlock) => boolean;
}

/** Data read from disk per write to the socket, in bytes. */
const BATCH_BYTES = 64 * 1024;

/**
 * Copies a log's blocks to a response from a cursor, backlog then live, reading the log on disk
 * at the client's pace: one batch is written, and the next is read only once the socket drained.
 * A slow or stalled client holds one batch of memory and no lines; the writer never waits for it.
 * If the log drops the segment the cursor is in, the pump jumps ahead and announces the gap.
 */
export class EntryPump {
  readonly #options: EntryPumpOptions;
  #cursor: number;
  #nextRecordExpected: number;
  #waitingForDrain = false;
  #stopped = false;
  #scheduled = false;
  readonly #unsubscribe: () => void;

  constructor(options: EntryPumpOptions) {
    this.#options = options;
    this.#cursor = options.startBlock;
    this.#nextRecordExpected = options.skipRecordsBelow;
    this.#unsubscribe = options.log.subscribe(() => this.#schedule());
  }

  /**
   * Pumps once the current I/O phase is over rather than after every append: the server first
   * drains the child's pipes (so the child keeps running), then sends what arrived in one go.
   */
  #schedule(): void {
    if (this.#scheduled || this.#stopped) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.pump();
    });
  }

  /** True while the socket asked us to wait. */
  get congested(): boolean {
    return this.#waitingForDrain;
  }

  /**
   * Writes whatever is pending; ends when the log has ended. If the log cannot be read (its files
   * were removed behind the server's back), the connection is closed; the server carries on.
   */
  pump(): void {
    try {
      this.#pumpBatches();
    } catch {
      this.stop();
      this.#options.response.destroy();
    }
  }

  #pumpBatches(): void {
    const { log, response, format, skipRecordsBelow } = this.#options;
    if (this.#stopped || this.#waitingForDrain) return;
    for (;;) {
      const pieces: Buffer[] = [];
      const taken: Buffer[] = [];
      const allocate = (size: number): Buffer => {
        const buffer = outputBuffers.take(size);
        taken.push(buffer);
        return buffer;
      };
      if (this.#cursor < log.firstRetainedBlock) {
        this.#cursor = log.firstRetainedBlock;
        const firstRecord = log.firstRetainedRecordIndex;
        const dropped = firstRecord - this.#nextRecordExpected;
        if (dropped > 0) {
          const gap = this.#options.formatGap(dropped);
          if (gap !== undefined) pieces.push(Buffer.from(gap));
          this.#nextRecordExpected = firstRecord;
        }
      }
      const blocks = log.readBlocks(this.#cursor, BATCH_BYTES);
      let endHere = false;
      for (const block of blocks) {
        this.#cursor = block.number + 1;
        let skip = 0;
        if (block.recordCount > 0) {
          const end = block.firstRecord + block.recordCount;
          if (end <= skipRecordsBelow) continue;
          skip = Math.max(0, skipRecordsBelow - block.firstRecord);
          this.#nextRecordExpected = end;
        }
        const piece = format(block, skip, allocate);
        if (piece !== undefined && piece.length > 0)
          pieces.push(typeof piece === 'string' ? Buffer.from(piece) : piece);
        if (this.#options.endAfter?.(block) === true) {
          endHere = true;
          break;
        }
      }
      // One write per batch (one HTTP chunk), whatever the number of blocks in it.
      const batch = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
      // The pooled buffers go back once nothing uses them: at once if they were copied into the batch.
      const giveBack = (): void => {
        for (const buffer of taken.splice(0)) outputBuffers.give(buffer);
      };
      if (pieces.length !== 1) giveBack();
      if (endHere) {
        if (batch !== undefined && batch.length > 0) response.write(batch, giveBack);
        this.stop();
        this.#options.onEnd();
        return;
      }
      if (batch === undefined || batch.length === 0) giveBack();
      else if (!response.write(batch, giveBack)) {
        this.#waitingForDrain = true;
        response.once('drain', () => {
          this.#waitingForDrain = false;
          this.pump();
        });
        return;
      }
      if (blocks.length === 0) break;
    }
    if (log.ended && this.#cursor >= log.nextBlock) {
      this.stop();
      this.#options.onEnd();
    }
  }

  /** Stops listening to the log (client gone or stream complete). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#unsubscribe();
  }
}
