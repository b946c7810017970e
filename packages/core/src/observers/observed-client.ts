import type { ExecRequest, LogRecord, ProcessInfo } from '../types.js';

/**
 * The part of the client's `process` API the observers use. The client of `createClient` fits
 * it; tests and other transports can pass anything of this shape.
 */
export interface ObservableProcessApi {
  get(id: string, options?: { signal?: AbortSignal }): Promise<ProcessInfo>;
  list(options?: { signal?: AbortSignal }): Promise<ProcessInfo[]>;
  exec(request: ExecRequest, options?: { signal?: AbortSignal }): Promise<ProcessInfo>;
  stop(id: string, options?: { signal?: AbortSignal }): Promise<ProcessInfo>;
  kill(id: string, options?: { killSignal?: string; signal?: AbortSignal }): Promise<ProcessInfo>;
  /** Given a process (as `get` answered), streams it by pid, pinned: see `client.process.streamLogs`. */
  streamLogs(process: string | ProcessInfo, options?: ObservableLogStreamOptions): ObservableLogStream;
}

/** A client as the observers see it: anything with a {@link ObservableProcessApi} `process`. */
export interface ObservableClient {
  readonly process: ObservableProcessApi;
}

/** State of one log-stream connection, as the client reports it. */
export type ObservableLogStreamState = 'connecting' | 'streaming' | 'reconnecting' | 'ended' | 'error';

/** The options of `client.process.streamLogs` the logs observer uses. */
export interface ObservableLogStreamOptions {
  signal?: AbortSignal;
  /** Skip the first `since` records (the cursor). */
  since?: number;
  onRecord?(record: LogRecord): void;
  onNotice?(text: string): void;
  onStateChange?(state: ObservableLogStreamState): void;
}

/** The handle `client.process.streamLogs` returns, as the logs observer uses it. */
export interface ObservableLogStream {
  /** Resolves when the process's output has ended; rejects on a fatal error. */
  readonly done: Promise<void>;
  /** Stops now (`done` resolves). */
  close(): void;
}
