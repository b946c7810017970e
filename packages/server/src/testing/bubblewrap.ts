import { detectContainment } from '../process/containment.js';
import { createIsolationLayout } from '../process/isolation-layout.js';
import { createRunDirectory, removeRunDirectory } from '../process/run-directory.js';

/** Why bubblewrap (isolated mode) cannot run here, or undefined when it can. */
export function bubblewrapUnavailable(): string | undefined {
  const runDirectory = createRunDirectory(undefined);
  try {
    detectContainment(createIsolationLayout(runDirectory, undefined, true));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    removeRunDirectory(runDirectory);
  }
}
