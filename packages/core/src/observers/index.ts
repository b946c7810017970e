export { Subscribable } from './subscribable.js';
export {
  createNotifyScheduler,
  type NotifyScheduler,
  type NotifySchedulerOptions,
} from './notify-scheduler.js';
export type {
  ObservableClient,
  ObservableLogStream,
  ObservableLogStreamOptions,
  ObservableLogStreamState,
  ObservableProcessApi,
} from './observed-client.js';
export {
  PollingObserver,
  type PollInterval,
  type PollingOptions,
  type PollingState,
} from './polling-observer.js';
export { ProcessObserver, isProcessSettled, type ProcessObserverOptions } from './process-observer.js';
export { ProcessListObserver, type ProcessListObserverOptions } from './process-list-observer.js';
export {
  LogsObserver,
  type LogsObserverOptions,
  type LogsState,
  type LogsStatus,
} from './logs-observer.js';
export {
  ExecController,
  type ExecControllerOptions,
  type ExecPhase,
  type ExecState,
  type ExecStatus,
} from './exec-controller.js';
export { latestPollingOptions } from './latest-polling-options.js';
export {
  processListView,
  processView,
  type PollingView,
  type ProcessListView,
  type ProcessView,
} from './polling-views.js';
export { TrackedResult } from './tracked-result.js';
export { ObserverCache, type ObserverCacheOptions } from './observer-cache.js';
