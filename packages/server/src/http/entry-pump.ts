import type { ServerResponse } from 'node:http';
import type { LogEntry, OutputLog } from '../process/output-log.js';

/** How a pump turns entries into bytes on the wire. */
export interface EntryPumpOptions {
  log: OutputLog;
  response: ServerResponse;
  /** Sequence of the first entry to consider. */
  startSequence: number;
  /** Records with a lower index are skipped (a `since` beyond what exists yet). */
  skipRecordsBelow: number;
  /** Text for one entry, or `undefined` to send nothing for it. */
  format: (entry: LogEntry) => string | undefined;
  /** Text announcing that `count` records were dropped before they could be sent. */
  formatGap: (count: number) => string | undefined;
  /** Called once every entry was written and the log ended (the response is still open). */
  onEnd: () => void;
  /** Ends the pump (then `onEnd`) right after this entry is written, log ended or not. Default: never. */
  endAfter?: (entry: LogEntry) => boolean;
}

const BATCH_SIZE = 512;

/**
 * Copies a log's entries to a response from a cursor, backlog then live, respecting socket
 * backpressure: a slow client never makes the server buffer more than one batch, since the log
 * itself is the buffer (and drops old entries within its budget).
 */
export class EntryPump {
  readonly #options: EntryPumpOptions;
  #cursor: number;
  #nextRecordExpected: number;
  #waitingForDrain = false;
  #stopped = false;
  readonly #unsubscribe: () => void;

  constructor(options: EntryPumpOptions) {
    this.#options = options;
    this.#cursor = options.startSequence;
    this.#nextRecordExpected = options.skipRecordsBelow;
    this.#unsubscribe = options.log.subscribe(() => this.pump());
  }

  /** True while the socket asked us to wait. */
  get congested(): boolean {
    return this.#waitingForDrain;
  }

  /** Writes whatever is pending; ends when the log has ended. */
  pump(): void {
    const { log, response, format } = this.#options;
    if (this.#stopped || this.#waitingForDrain) return;
    for (;;) {
      let text = '';
      if (this.#cursor < log.firstRetainedSequence) {
        this.#cursor = log.firstRetainedSequence;
        const dropped = log.firstRetainedRecordIndex - this.#nextRecordExpected;
        if (dropped > 0) text += this.#options.formatGap(dropped) ?? '';
      }
      const entries = log.entriesFrom(this.#cursor, BATCH_SIZE);
      let endHere = false;
      for (const entry of entries) {
        this.#cursor = entry.sequence + 1;
        if (entry.recordIndex !== null) {
          if (entry.recordIndex < this.#options.skipRecordsBelow) continue;
          this.#nextRecordExpected = entry.recordIndex + 1;
        }
        text += format(entry) ?? '';
        if (this.#options.endAfter?.(entry) === true) {
          endHere = true;
          break;
        }
      }
      if (endHere) {
        if (text.length > 0) response.write(text);
        this.stop();
        this.#options.onEnd();
        return;
      }
      if (text.length > 0 && !response.write(text)) {
        this.#waitingForDrain = true;
        response.once('drain', () => {
          this.#waitingForDrain = false;
          this.pump();
        });
        return;
      }
      if (entries.length === 0) break;
    }
    if (log.ended && this.#cursor >= log.nextSequence) {
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
