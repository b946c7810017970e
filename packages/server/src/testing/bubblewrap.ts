import { detectContainment } from '../process/containment.js';
import { createIsolationDirectories } from '../process/isolation-directories.js';

/** Why bubblewrap (isolated mode) cannot run here, or undefined when it can. */
export function bubblewrapUnavailable(): string | undefined {
  const directories = createIsolationDirectories(undefined, true);
  try {
    detectContainment(directories.layout);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    directories.remove();
  }
}
