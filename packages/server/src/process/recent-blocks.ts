import type { LogBlock } from './log-block.js';

/**
 * The blocks a log appended since its readers last ran, kept in memory: a caught-up reader takes
 * them from here instead of reading back from disk what was just written there. The list empties
 * on the `setImmediate` after the readers were told (theirs run first), so it holds at most what
 * the pipes delivered in one turn of the event loop, buffers the pipes allocated anyway; a reader
 * that is behind (a backlog, a slow client) reads from disk as before.
 */
export class RecentBlocks {
  #blocks: LogBlock[] = [];
  #clearScheduled = false;

  /** Keeps `block`, whose number follows the last kept one (or starts a new run after a clear). */
  add(block: LogBlock): void {
    const last = this.#blocks.at(-1);
    if (last !== undefined && last.number + 1 !== block.number) this.#blocks = [];
    this.#blocks.push(block);
  }

  /** Empties the list once the readers woken by the appends so far had their turn. */
  clearAfterReaders(): void {
    if (this.#clearScheduled || this.#blocks.length === 0) return;
    this.#clearScheduled = true;
    setImmediate(() => {
      this.#clearScheduled = false;
      this.#blocks = [];
    });
  }

  /** Empties the list now. */
  clear(): void {
    this.#blocks = [];
  }

  /**
   * The kept blocks from block `from`, about `maxBytes` of data (at least one block), or `undefined`
   * if block `from` is not kept.
   */
  read(from: number, maxBytes: number): LogBlock[] | undefined {
    const firstNumber = this.#blocks[0]?.number;
    if (firstNumber === undefined || from < firstNumber || from >= firstNumber + this.#blocks.length) return undefined;
    const blocks: LogBlock[] = [];
    let bytes = 0;
    for (let position = from - firstNumber; position < this.#blocks.length; position++) {
      const block = this.#blocks[position] as LogBlock;
      if (blocks.length > 0 && bytes + block.data.length > maxBytes) break;
      blocks.push(block);
      bytes += block.data.length;
    }
    return blocks;
  }
}
