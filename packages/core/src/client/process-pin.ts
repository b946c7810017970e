/**
 * Following one process rather than a name: a name is reused as soon as its process ends (kill then
 * exec, a server restart), so a stream, a wait or an exec that started on a process pins it on
 * first contact and addresses it by pid from then on (both servers accept a pid wherever they
 * accept a name).
 */
import { NotFoundError } from '../errors/http-errors.js';
import type { ProcessInfo } from '../types.js';
import type { CallOptions } from './client-options.js';
import { isProcessFinished } from '../shared/normalize-process.js';
import { isSameProcess } from '../shared/same-process.js';

export { isSameProcess };

/**
 * One process, pinned on first contact: a name is looked up once, then only its pid is used, and
 * every state read is checked to be the same process (see {@link isSameProcess}).
 */
export class ProcessPin {
  /** The id as given: a pid, a name, or the pid of the process given. */
  declare readonly id: string;
  /** The last state read (or given); `undefined` before the first contact. */
  known: ProcessInfo | undefined;
  readonly #get: (id: string, options: CallOptions) => Promise<ProcessInfo>;

  constructor(get: (id: string, options: CallOptions) => Promise<ProcessInfo>, process: string | ProcessInfo) {
    this.#get = get;
    if (typeof process !== 'string') this.known = process;
    this.id = typeof process === 'string' ? process : process.pid;
  }

  /** The pid to address: a name is looked up (and pinned) the first time. */
  async pid(signal?: AbortSignal): Promise<string> {
    return this.known?.pid ?? (/^\d+$/.test(this.id) ? this.id : (await this.read(signal)).pid);
  }

  /**
   * The process's current state, by pid once pinned.
   * @throws NotFoundError when it is gone: unknown to the server, or its pid now belongs to another process.
   */
  async read(signal?: AbortSignal): Promise<ProcessInfo> {
    const known = this.known;
    const current = await this.#get(known?.pid ?? this.id, { signal });
    if (known && !isSameProcess(known, current))
      throw new NotFoundError({
        status: 404,
        message: `process ${known.pid} is gone (its pid was reused)`,
        processId: this.id,
      });
    this.known = current;
    return current;
  }

  /**
   * Once a connection of a stream is open on a server that replays output kept by name (no
   * `X-Log-Offset`: the real server), before any of its lines is read: the process is still the one
   * pinned (see `read`), and if it is over, its name still names it: once the name is reused, the
   * real server's replay goes on with (or is) the new process's output.
   * @param since the records already delivered: a resume when above 0, which the error says.
   * @param current the process as `read` just answered for this connection, if it did (not read again).
   * @throws NotFoundError when the pid now names another process, or the process is over and its
   * name now names another one (a first read and a resume each say so in their own words).
   */
  async check(since: number, signal?: AbortSignal, current?: ProcessInfo): Promise<void> {
    const { pid, name } = current ?? (await this.read(signal));
    // `read` (here or the caller's) has set `known`.
    const known = this.known;
    if (!known || !isProcessFinished(known) || !name) return;
    const named = await this.#get(name, { signal }).catch(() => undefined);
    if (named && named.pid !== pid) {
      throw new NotFoundError({
        status: 404,
        message: `process ${pid} is over and its name ${name} ${
          since > 0
            ? `was reused (pid ${named.pid}): its output cannot be resumed`
            : `now names another process (pid ${named.pid}, started ${named.startedAt?.toISOString() ?? 'at an unknown time'}), whose output the server may send under that name`
        }`,
        processId: this.id,
      });
    }
  }
}
