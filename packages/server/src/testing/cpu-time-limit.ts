import { CommandCgroups } from '../process/command-cgroups.js';

/** Why the CPU time limit of a command's tree cannot be tested here, or undefined when it can. */
export function cpuTimeUnavailable(): string | undefined {
  try {
    CommandCgroups.create({ maxCpuSeconds: 1 }).close();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
