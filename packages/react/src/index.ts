export { SandprocProvider, useSandprocClient, type SandprocProviderProps } from './sandproc-context.js';
export { useProcess, type UseProcessOptions, type UseProcessResult } from './use-process.js';
export { useProcessLogs, type UseProcessLogsOptions, type UseProcessLogsResult } from './use-process-logs.js';
export { useExec, type UseExecOptions, type UseExecResult } from './use-exec.js';
export { useProcessList, type UseProcessListOptions, type UseProcessListResult } from './use-process-list.js';
