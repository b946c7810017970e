import type { ResolvedOptions } from '../options.js';
import type { StreamLimiter } from '../http/stream-limiter.js';
import type { ProcessManager } from '../process/process-manager.js';

/** What every route needs: the process manager and the resolved options. */
export interface ServerContext {
  manager: ProcessManager;
  options: ResolvedOptions;
  /** Slots for long-lived streams. */
  streams: StreamLimiter;
  /** Random per server start: part of every ETag, so a tag never matches across restarts. */
  instanceTag: string;
}

/** True in strict-compatibility mode. */
export function isStrict(context: ServerContext): boolean {
  return context.options.compatibility === 'strict';
}
