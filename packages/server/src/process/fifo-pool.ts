import { execFile, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

/** FIFOs made per `mkfifo` run. */
const BATCH = 32;
/** Below this many FIFOs in stock, the next batch is made in the background. */
const LOW_WATER = BATCH / 2;

/**
 * Fresh FIFOs in a directory, each handed out once (`openOsPipe` opens it and removes it): a
 * command's pipes cost a run of `mkfifo` per {@link BATCH} of them, not one each (Node cannot
 * make a pipe or a FIFO itself). Batches are made in the background before the stock runs out,
 * so that starting a command does not wait for `mkfifo`; only a burst that empties the stock
 * makes one at once. Where `mkfifo` cannot run, there are none.
 */
export class FifoPool {
  readonly #directory: string;
  readonly #stock: string[] = [];
  #serial = 0;
  #unavailable = false;
  #closed = false;
  /** The background `mkfifo` under way, if any (settles when it ended). */
  #refilling: Promise<void> | undefined;

  constructor(directory: string) {
    this.#directory = directory;
    this.#refill();
  }

  /** The path of a fresh FIFO, or undefined when none can be made (or the pool is closed). */
  take(): string | undefined {
    if (this.#closed) return undefined;
    if (this.#stock.length === 0 && !this.#unavailable) this.#makeBatchNow();
    const path = this.#stock.pop();
    if (this.#stock.length < LOW_WATER) this.#refill();
    return path;
  }

  #nextPaths(): string[] {
    return Array.from({ length: BATCH }, () => join(this.#directory, `pipe-${++this.#serial}`));
  }

  #makeBatchNow(): void {
    const paths = this.#nextPaths();
    const made = spawnSync('mkfifo', ['-m', '600', ...paths], { stdio: 'ignore' });
    if (made.error !== undefined) this.#unavailable = true;
    if (made.status === 0) return void this.#stock.push(...paths);
    for (const path of paths) rmSync(path, { force: true });
  }

  /** Makes no more FIFOs; resolves once a background `mkfifo` ended (so the directory can go). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#refilling;
  }

  #refill(): void {
    if (this.#refilling !== undefined || this.#unavailable || this.#closed) return;
    const paths = this.#nextPaths();
    this.#refilling = new Promise<void>((settle) => {
      execFile('mkfifo', ['-m', '600', ...paths], (error) => {
        this.#refilling = undefined;
        settle();
        if (error === null && !this.#closed) return void this.#stock.push(...paths);
        // No `mkfifo` at all (a string code); any other failure (the directory is gone) leaves none.
        if (error !== null && typeof error.code === 'string') this.#unavailable = true;
        for (const path of paths) rmSync(path, { force: true });
      });
    });
  }
}
