import { spawnSync } from 'node:child_process';
import { bubblewrapArguments, NAMESPACE_LAUNCHER, type ContainmentMode, type IsolationLayout } from './launch-plan.js';

/** The containment in force, decided once at startup. */
export interface Containment {
  mode: ContainmentMode;
  /** Why the server fell back to process groups (`mode: 'process-group'`). */
  fallbackReason?: string;
  /** Isolated mode's filesystem. */
  isolation?: IsolationLayout;
}

/** Thrown when `isolate` is asked for and bubblewrap cannot run. */
export class IsolationUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IsolationUnavailableError';
  }
}

const PROBE_TIMEOUT_MS = 10_000;

/** The namespace probe's result, the same for every server of this process. */
let namespaceProbe: { failure: string | undefined } | undefined;

/** Runs a probe command; returns undefined on success, else why it failed. */
function probe(file: string, args: string[]): string | undefined {
  const result = spawnSync(file, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: PROBE_TIMEOUT_MS,
    encoding: 'utf8',
  });
  if (result.error)
    return (result.error as NodeJS.ErrnoException).code === 'ENOENT'
      ? `${file} is not installed`
      : result.error.message;
  if (result.status !== 0)
    return result.stderr.trim().split('\n')[0] || `${file} exited with ${result.status ?? result.signal}`;
  return undefined;
}

/**
 * Decides how commands are contained: isolated (bubblewrap) when `isolation` is given, else a PID
 * namespace per command where `unshare` can create one, else process groups.
 * @throws {IsolationUnavailableError} `isolation` given and bubblewrap cannot run.
 */
export function detectContainment(isolation: IsolationLayout | undefined): Containment {
  if (isolation !== undefined) {
    const failure =
      process.platform !== 'linux'
        ? `isolation needs Linux (this is ${process.platform})`
        : probe('bwrap', [...bubblewrapArguments(isolation, undefined), 'true']);
    if (failure !== undefined) {
      throw new IsolationUnavailableError(
        `--isolate needs bubblewrap: ${failure}. Install it (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap) or run without --isolate.`,
      );
    }
    return { mode: 'isolated', isolation };
  }
  if (process.platform !== 'linux') {
    return { mode: 'process-group', fallbackReason: `PID namespaces need Linux (this is ${process.platform})` };
  }
  namespaceProbe ??= { failure: probe(NAMESPACE_LAUNCHER[0], [...NAMESPACE_LAUNCHER.slice(1), 'true']) };
  const { failure } = namespaceProbe;
  if (failure !== undefined) return { mode: 'process-group', fallbackReason: failure };
  return { mode: 'namespace' };
}
