/** Status of a process on the wire. There is no "starting" state. */
export type ProcessStatus = 'running' | 'completed' | 'failed' | 'stopped' | 'killed';

/** The validated content of a `POST /process` body. */
export interface ProcessRequest {
  command: string;
  name?: string;
  workingDir?: string;
  env?: Record<string, string>;
  waitForCompletion?: boolean;
  /** Seconds, at most 2147483 (about 24.8 days); 0 or absent = no bound. */
  timeout?: number;
  waitForPorts?: number[];
  restartOnFailure?: boolean;
  maxRestarts?: number;
  keepAlive?: boolean;
  stdin?: boolean;
}

/** The Process object of PROTOCOL.md §2. */
export interface ProcessJson {
  pid: string;
  name: string;
  command: string;
  workingDir: string;
  status: ProcessStatus;
  exitCode: number;
  startedAt: string;
  completedAt: string | null;
  stdout: string;
  stderr: string;
  /** `null` in the answer of a `POST /process` without waiting, until the process wrote something. */
  logs: string | null;
  restartOnFailure: boolean;
  maxRestarts: number;
  restartCount: number;
  keepAlive: boolean;
}
