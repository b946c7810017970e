export { createSandboxServer } from './create-sandbox-server.js';
export { IsolationUnavailableError } from './process/containment.js';
export type { SandboxServer, SandboxServerStats } from './create-sandbox-server.js';
export type { CompatibilityMode, ContainmentMode, ResolvedOptions, SandboxServerOptions } from './options.js';
export type { ProcessJson, ProcessJson as Process, ProcessRequest, ProcessStatus } from './process/process-status.js';
