import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { ManagedProcess } from './managed-process.js';
import type { ProcessRequest } from './process-status.js';

/** Settings shared by every process of a manager. */
export interface ProcessManagerSettings {
  restartDelayMs: number;
  stopGraceMs: number;
  /** Unread bytes a stdin pipe may hold before writes are refused. */
  stdinBufferBytes: number;
  outputMemoryBytes: number;
  /** Output kept over all finished processes, in bytes; the oldest lose their output first. */
  totalOutputMemoryBytes: number;
  chunkRecords: boolean;
  /** Secrets that must never reach a child's environment (the server token): a variable whose value equals one is removed. */
  secrets: string[];
}

/** A start refused with an HTTP status (400 or 422) and a message. */
export class ProcessStartError extends Error {
  readonly status: 400 | 422;
  constructor(status: 400 | 422, message: string) {
    super(message);
    this.name = 'ProcessStartError';
    this.status = status;
  }
}

const NAME_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const HIDDEN_ENVIRONMENT = new Set(['SANDPROC_TOKEN']);

/**
 * A `workingDir` as the real server shows and uses it: a leading `~` becomes `$HOME` (the home
 * folder when unset), double slashes collapse; a relative folder stays relative (to the server's).
 */
export function formatWorkingDirectory(workingDir: string): string {
  let path = workingDir.startsWith('~') ? (process.env['HOME'] || homedir()) + workingDir.slice(1) : workingDir;
  while (path.includes('//')) path = path.replaceAll('//', '/');
  return path;
}

/** Starts processes and keeps every record ever started, looked up by pid or name. */
export class ProcessManager {
  readonly #settings: ProcessManagerSettings;
  readonly #processes: ManagedProcess[] = [];
  readonly #byPid = new Map<number, ManagedProcess>();
  readonly #byName = new Map<string, ManagedProcess>();
  #closed = false;

  constructor(settings: ProcessManagerSettings) {
    this.#settings = settings;
  }

  /** Starts a process. Throws {@link ProcessStartError} for a running name (400) or a start failure (422). */
  async start(request: ProcessRequest): Promise<ManagedProcess> {
    const workingDir = request.workingDir ? formatWorkingDirectory(request.workingDir) : undefined;
    if (request.name !== undefined) this.#refuseRunningName(request.name);
    const cwd = workingDir ? await this.#resolveWorkingDirectory(request.command, workingDir) : undefined;
    if (this.#closed) throw new ProcessStartError(422, 'server is shutting down');
    const name = request.name ?? this.#generateName();
    this.#refuseRunningName(name);
    const managed = new ManagedProcess({
      request: { ...request, workingDir },
      name,
      cwd,
      env: { ...this.#baseEnvironment(), ...request.env },
      restartDelayMs: this.#settings.restartDelayMs,
      stopGraceMs: this.#settings.stopGraceMs,
      stdinBufferBytes: this.#settings.stdinBufferBytes,
      outputMemoryBytes: this.#settings.outputMemoryBytes,
      chunkRecords: this.#settings.chunkRecords,
    });
    try {
      managed.start();
    } catch (error) {
      throw new ProcessStartError(422, `failed to start process: ${(error as Error).message}`);
    }
    this.#processes.push(managed);
    this.#byPid.set(managed.pid, managed);
    this.#byName.set(name, managed);
    managed.onFinished(() => this.#enforceTotalBudget());
    return managed;
  }

  /** Looks a process up: an integer is only a pid; anything else is the most recent with that name. */
  find(identifier: string): ManagedProcess | undefined {
    if (/^[+-]?\d+$/.test(identifier)) return this.#byPid.get(Number(identifier));
    return this.#byName.get(identifier);
  }

  /** Every process ever started, oldest first. */
  list(): readonly ManagedProcess[] {
    return this.#processes;
  }

  /** Output bytes retained over all processes. */
  retainedOutputBytes(): number {
    return this.#processes.reduce((sum, managed) => sum + managed.output.retainedBytes, 0);
  }

  /** SIGKILL to every process group ever started; resolves once every record is final (bounded). */
  async closeAll(timeoutMs = 5000): Promise<void> {
    this.#closed = true;
    for (const managed of this.#processes) managed.destroy();
    const pending = this.#processes.filter((managed) => !managed.finished);
    await Promise.race([
      Promise.all(pending.map((managed) => new Promise<void>((done) => managed.onFinished(done)))),
      new Promise<void>((done) => setTimeout(done, timeoutMs).unref()),
    ]);
    for (const managed of this.#processes) managed.destroy();
  }

  #refuseRunningName(name: string): void {
    if (this.#byName.get(name)?.status === 'running') {
      throw new ProcessStartError(400, `process with name '${name}' already exists and is running`);
    }
  }

  /** The real server's message names the command and the folder (already formatted). */
  async #resolveWorkingDirectory(command: string, workingDir: string): Promise<string> {
    const absolute = resolve(workingDir);
    const info = await stat(absolute).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new ProcessStartError(422, `failed to start process: could not execute command '${command}' because folder '${workingDir}' does not exist`);
    }
    return absolute;
  }

  #baseEnvironment(): NodeJS.ProcessEnv {
    const environment: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (HIDDEN_ENVIRONMENT.has(key) || value === undefined) continue;
      if (this.#settings.secrets.some((secret) => secret.length > 0 && value === secret)) continue;
      environment[key] = value;
    }
    return environment;
  }

  #generateName(): string {
    for (;;) {
      const bytes = randomBytes(8);
      let name = 'proc-';
      for (const byte of bytes) name += NAME_ALPHABET[byte % NAME_ALPHABET.length];
      if (!this.#byName.has(name)) return name;
    }
  }

  #enforceTotalBudget(): void {
    let total = this.retainedOutputBytes();
    for (const managed of this.#processes) {
      if (total <= this.#settings.totalOutputMemoryBytes) return;
      if (!managed.finished) continue;
      total -= managed.output.discard();
    }
  }
}
