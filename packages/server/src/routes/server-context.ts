import type { ResolvedOptions } from '../options.js';
import type { ProcessManager } from '../process/process-manager.js';

/** What every route needs: the process manager and the resolved options. */
export interface ServerContext {
  manager: ProcessManager;
  options: ResolvedOptions;
}

/** True in strict-compatibility mode. */
export function isStrict(context: ServerContext): boolean {
  return context.options.compatibility === 'strict';
}
