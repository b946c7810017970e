export { createClient } from './create-client.js';
export type { SandprocClient } from './create-client.js';
export { createBlaxelClient, blaxelSandboxUrl } from './create-blaxel-client.js';
export type {
  BlaxelClientOptions,
  BlaxelApiKeyOptions,
  BlaxelPreviewTokenOptions,
  BlaxelCommonOptions,
} from './create-blaxel-client.js';
export type { ClientOptions, RetryOptions, CallOptions } from './client-options.js';
export { ProcessApi } from './process-api.js';
export type { KillOptions, LogsOptions } from './process-api.js';
export type { ExecOptions } from './exec.js';
export { waitForLog } from './wait.js';
export type { WaitOptions, WaitForLogOptions, LogStreamingClient } from './wait.js';
export { isTerminalStatus, isProcessFinished } from '../shared/normalize-process.js';
export { isSameProcess } from './process-pin.js';
