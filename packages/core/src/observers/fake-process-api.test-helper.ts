import type { LogRecord, ProcessInfo, ProcessStatus } from '../types.js';
import type { ObservableLogStreamOptions, ObservableProcessApi } from './observed-client.js';

/** A process as the server would describe it. */
export function processInfo(overrides: Partial<ProcessInfo> = {}): ProcessInfo {
  return {
    pid: '100',
    name: 'proc-test0000',
    command: 'sleep 1',
    workingDir: '',
    status: 'running',
    exitCode: 0,
    startedAt: new Date(0),
    completedAt: null,
    stdout: null,
    stderr: null,
    logs: null,
    restartOnFailure: false,
    maxRestarts: 0,
    restartCount: 0,
    keepAlive: false,
    ...overrides,
  };
}

export interface FakeStream {
  options: ObservableLogStreamOptions;
  emit(record: Omit<LogRecord, 'index'> & { index?: number }): void;
  end(): void;
  fail(error: unknown): void;
  closed: boolean;
}

/**
 * A scripted stand-in for the client's process API, for the pure timing tests (fake timers):
 * `get` answers with `state.status` (or throws `state.failWith`) and counts its calls.
 */
export function fakeProcessApi() {
  const state = {
    status: 'running' as ProcessStatus,
    exitCode: 0,
    failWith: undefined as unknown,
    getCalls: 0,
    listCalls: 0,
    streams: [] as FakeStream[],
    nextIndex: 0,
    /** When the last `exec` started its process: `get`, `stop` and `kill` describe that run. */
    startedAt: new Date(0),
  };
  const api: ObservableProcessApi = {
    async get(id) {
      state.getCalls++;
      if (state.failWith !== undefined) throw state.failWith;
      return processInfo({ pid: id, status: state.status, exitCode: state.exitCode, startedAt: state.startedAt });
    },
    async list() {
      state.listCalls++;
      return [processInfo({ status: state.status })];
    },
    async exec(request) {
      state.status = 'running';
      state.startedAt = new Date(Date.now() + state.nextIndex++);
      return processInfo({ command: request.command, startedAt: state.startedAt });
    },
    async stop(id) {
      state.status = 'stopped';
      return processInfo({ pid: id, status: 'stopped', exitCode: -1, startedAt: state.startedAt });
    },
    async kill(id) {
      state.status = 'killed';
      return processInfo({ pid: id, status: 'killed', exitCode: -1, startedAt: state.startedAt });
    },
    streamLogs(_id, options = {}) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const done = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      let next = options.since ?? 0;
      const stream: FakeStream = {
        options,
        closed: false,
        emit(record) {
          const index = record.index ?? next;
          next = index + 1;
          options.onRecord?.({ stream: record.stream, text: record.text, index });
        },
        end() {
          options.onStateChange?.('ended');
          resolve();
        },
        fail(error) {
          options.onStateChange?.('error');
          reject(error);
        },
      };
      state.streams.push(stream);
      queueMicrotask(() => options.onStateChange?.('streaming'));
      return {
        done,
        close() {
          stream.closed = true;
          resolve();
        },
      };
    },
  };
  return { api, state };
}
