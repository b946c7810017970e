/**
 * Buffers for the bytes a log stream writes, handed back once the socket has written them: under a
 * flood each batch reuses a buffer instead of allocating one (and leaving it to the garbage
 * collector, which a new external buffer per batch keeps busy). Only buffers of exactly the pool's
 * capacity are kept, at most `maxFree` of them; a larger request gets a buffer of its own.
 */
export class OutputBuffers {
  readonly #capacity: number;
  readonly #maxFree: number;
  readonly #free: ArrayBuffer[] = [];

  /** `capacity`: bytes of each pooled buffer; `maxFree`: how many unused ones are kept. */
  constructor(capacity: number, maxFree: number) {
    this.#capacity = capacity;
    this.#maxFree = maxFree;
  }

  /** A buffer of `size` bytes (contents undefined): pooled memory if it fits, else a new allocation. */
  take(size: number): Buffer {
    if (size > this.#capacity) return Buffer.allocUnsafe(size);
    const memory = this.#free.pop() ?? new ArrayBuffer(this.#capacity);
    return Buffer.from(memory, 0, size);
  }

  /** Hands back a buffer from {@link take} that nothing uses any more (call once per buffer). */
  give(buffer: Buffer): void {
    const memory = buffer.buffer;
    if (memory instanceof ArrayBuffer && memory.byteLength === this.#capacity && this.#free.length < this.#maxFree)
      this.#free.push(memory);
  }
}

/**
 * The pool of the log streams' output: 256 KiB holds the prefixed text of a 64 KiB batch of short
 * lines; four free buffers (1 MiB) serve a few busy streams at once.
 */
export const outputBuffers = new OutputBuffers(256 * 1024, 4);
