import type { LogRecord } from '../types.js';

/**
 * The last `maxLines` lines of a logs observer. Appending costs the lines appended (the oldest
 * are dropped by moving a start offset; the array is compacted only once the dropped part is as
 * long as the kept one, so each line is moved at most once on average), and the immutable array
 * a snapshot shows is built only when asked for. `copiedLines` counts every line moved or copied,
 * so a test can check the work stays linear in the lines received.
 */
export class LineBuffer {
  #lines: LogRecord[] = [];
  /** Position of the oldest kept line in `#lines` (the ones before it are dropped). */
  #start = 0;
  #copiedLines = 0;
  /** Lines kept at most; the oldest are dropped beyond it. */
  maxLines: number;

  constructor(maxLines: number) {
    this.maxLines = maxLines;
  }

  /** Lines kept. */
  get size(): number {
    return this.#lines.length - this.#start;
  }

  /** Lines moved or copied so far (compactions and `toArray`). */
  get copiedLines(): number {
    return this.#copiedLines;
  }

  /** Adds `records` after the kept lines; returns how many of the oldest lines were dropped. */
  append(records: readonly LogRecord[]): number {
    for (const record of records) this.#lines.push(record);
    const excess = this.size - this.maxLines;
    if (excess <= 0) return 0;
    this.#start += excess;
    if (this.#start >= this.size) {
      this.#copiedLines += this.size;
      this.#lines = this.#lines.slice(this.#start);
      this.#start = 0;
    }
    return excess;
  }

  /** A new array of the kept lines, oldest first. */
  toArray(): LogRecord[] {
    this.#copiedLines += this.size;
    return this.#lines.slice(this.#start);
  }

  /** Drops every line. */
  clear(): void {
    this.#lines = [];
    this.#start = 0;
  }
}
