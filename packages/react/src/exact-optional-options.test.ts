import { fileURLToPath } from 'node:url';
import { exactOptionalErrors } from '@sandproc/test-utils';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('./index.ts', import.meta.url));
/** Inside the package, so that the user's `@sandproc/core` import resolves as the hooks' own does. */
const scratchParent = fileURLToPath(new URL('../node_modules/', import.meta.url));

/**
 * A component of a user whose tsconfig has `exactOptionalPropertyTypes` (e.g. @tsconfig/strictest),
 * passing the hooks' own options values that may be undefined (props, feature flags).
 */
const USER_CODE = `
import { SandprocProvider, useExec, useProcess, useProcessList, useProcessLogs } from ${JSON.stringify(entry)};
import type { ObservableClient, ObserverCache, ProcessInfo } from '@sandproc/core';
declare const maybeBoolean: boolean | undefined;
declare const maybeNumber: number | undefined;
declare const maybeClient: ObservableClient | undefined;
declare const maybeCache: ObserverCache | undefined;
declare const maybeProcess: ProcessInfo | undefined;
declare const maybeList: ProcessInfo[] | undefined;
declare const maybeCallback: ((process: ProcessInfo) => void) | undefined;
export function Component() {
  useExec({ client: maybeClient, onExit: maybeCallback, onLine: undefined, logs: maybeBoolean });
  useProcess('p', { enabled: maybeBoolean, initialData: maybeProcess, client: maybeClient, onExit: maybeCallback });
  useProcess('p', { intervalMs: maybeNumber, maxBackoffMs: maybeNumber, pauseWhenHidden: maybeBoolean });
  useProcessList({ enabled: maybeBoolean, initialData: maybeList, client: maybeClient });
  useProcessList({ intervalMs: maybeNumber, maxBackoffMs: maybeNumber, pauseWhenHidden: maybeBoolean });
  useProcessLogs('p', { enabled: maybeBoolean, follow: maybeBoolean, maxLines: maybeNumber, stream: undefined, notifyIntervalMs: maybeNumber, client: maybeClient });
  return SandprocProvider({ client: maybeClient as ObservableClient, cache: maybeCache, children: undefined });
}
`;

describe('hook options under exactOptionalPropertyTypes', () => {
  it("take values that may be undefined (no error in the user's code)", async () => {
    expect(await exactOptionalErrors(USER_CODE, scratchParent)).toEqual([]);
  });
});
