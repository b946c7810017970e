/** Options and states of {@link LogStream}. */
import type { LogRecord, ProcessInfo } from '../types.js';

/**
 * Where a log stream is in its life:
 * - `connecting`: opening the first connection;
 * - `streaming`: connected, records flow;
 * - `reconnecting`: the connection dropped (or ended while the process still runs); waiting to reopen;
 * - `ended`: the process's output is over (or `close()`/the signal stopped the stream);
 * - `error`: a fatal error (unknown process, unauthorized, reconnects exhausted); `done` rejected.
 */
export type LogStreamState = 'connecting' | 'streaming' | 'reconnecting' | 'ended' | 'error';

/** How a log stream reconnects after a dropped connection. */
export interface ReconnectOptions {
  /**
   * Consecutive attempts that bring nothing new (no record past the cursor; once a replay caught up,
   * not even a keepalive) before the stream fails with a `StreamError`. Default `8`.
   */
  maxAttempts?: number | undefined;
  /** Delay before the first reconnect, in milliseconds; doubles per failed attempt, with jitter. Default `250`. */
  initialDelayMs?: number | undefined;
  /** Upper bound of one delay, in milliseconds. Default `5000`. */
  maxDelayMs?: number | undefined;
}

/** Options of `client.process.streamLogs`. */
export interface LogStreamOptions {
  /** Stops the stream; `done` then rejects with the signal's reason and the iterator throws it. */
  signal?: AbortSignal | undefined;
  /** Start at this record (0-based, both streams counted together). Default `0`: from the beginning. */
  since?: number | undefined;
  /** Called once per record, in order, exactly once across reconnects. If it throws, the stream ends with that error (`done` rejects with it; no reconnect). */
  onRecord?(record: LogRecord): void;
  /** Called for server notices such as `[Process is being gracefully terminated]` (not deduplicated across reconnects). Must not throw. */
  onNotice?(text: string): void;
  /** Called on every state change. */
  onStateChange?(state: LogStreamState): void;
  /** Called when the server no longer had the records `from` to `to - 1` (its log was capped). */
  onGap?(gap: { from: number; to: number }): void;
  /**
   * Reconnect policy; `false`: fail at the first dropped connection. Default `{}` (see
   * {@link ReconnectOptions}). Network errors, dead connections, 5xx, 408 and 429 are retried (a
   * `Retry-After` in seconds replaces the backoff, capped at `maxDelayMs`); other answers end the stream.
   */
  reconnect?: ReconnectOptions | false | undefined;
  /**
   * Silence after which the connection counts as dead and is reopened, in milliseconds. The
   * server sends a keepalive every 30 s. Default `65000` (two periods plus a margin); `0` disables it.
   */
  keepaliveTimeoutMs?: number | undefined;
  /**
   * @deprecated No effect. An async iterator now reads each chunk's lines in its own steps (records
   * are made as it asks for them), so reading pauses until it has taken them; nothing is buffered.
   */
  highWaterMark?: number | undefined;
}

/** What a {@link LogStream} needs from the client: open a connection, and read the process. */
export interface LogStreamSource {
  /** The pid or name of the process. */
  processId: string;
  /** Opens `GET /process/{id}/logs/stream?since=N`; rejects with a `SandprocError` on a non-2xx answer. */
  open(since: number, signal: AbortSignal): Promise<Response>;
  /** `GET /process/{id}`. */
  get(signal: AbortSignal): Promise<ProcessInfo>;
  /**
   * The state of the process this source knew as it sent the last connection opened (e.g. from the
   * lookup that pinned it), if any; not a read made after it was sent. When it is over, that
   * connection is a replay: its clean end is the end.
   */
  known?(): ProcessInfo | undefined;
}
