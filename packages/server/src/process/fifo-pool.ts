import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

/** FIFOs made per `mkfifo` run. */
const BATCH = 32;

/**
 * Fresh FIFOs in a directory, each handed out once (`openOsPipe` opens it and removes it): a
 * command's pipes cost a run of `mkfifo` per {@link BATCH} of them, not one each (Node cannot
 * make a pipe or a FIFO itself). Where `mkfifo` cannot run, there are none.
 */
export class FifoPool {
  readonly #directory: string;
  readonly #stock: string[] = [];
  #serial = 0;
  #unavailable = false;

  constructor(directory: string) {
    this.#directory = directory;
  }

  /** The path of a fresh FIFO, or undefined when none can be made. */
  take(): string | undefined {
    if (this.#stock.length === 0 && !this.#unavailable) this.#makeBatch();
    return this.#stock.pop();
  }

  #makeBatch(): void {
    const paths = Array.from({ length: BATCH }, () => join(this.#directory, `pipe-${++this.#serial}`));
    const made = spawnSync('mkfifo', ['-m', '600', ...paths], { stdio: 'ignore' });
    if (made.error !== undefined) this.#unavailable = true;
    if (made.status === 0) return void this.#stock.push(...paths);
    for (const path of paths) rmSync(path, { force: true });
  }
}
