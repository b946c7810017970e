import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeProcessApi } from './fake-process-api.test-helper.js';
import { LogsObserver } from './logs-observer.js';
import { createNotifyScheduler } from './notify-scheduler.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const settle = () => vi.advanceTimersByTimeAsync(0);

describe('LogsObserver', () => {
  it('opens no stream until subscribed, then one for all subscribers', async () => {
    const { api, state } = fakeProcessApi();
    const observer = new LogsObserver(api, '1');
    await settle();
    expect(state.streams).toHaveLength(0);
    const offs = Array.from({ length: 5 }, () => observer.subscribe(() => {}));
    await settle();
    expect(state.streams).toHaveLength(1);
    expect(observer.getSnapshot().status).toBe('streaming');
    for (const off of offs) off();
    await settle();
    expect(state.streams[0]!.closed).toBe(true);
    expect(observer.getSnapshot().status).toBe('idle');
  });

  it('reconnect resumes a failed stream from its cursor, and only goes idle while unwatched', async () => {
    const { api, state } = fakeProcessApi();
    const observer = new LogsObserver(api, '1', { notifyIntervalMs: 10 });
    const off = observer.subscribe(() => {});
    await settle();
    state.streams[0]!.emit({ stream: 'stdout', text: 'a' });
    state.streams[0]!.emit({ stream: 'stdout', text: 'b' });
    const failure = new Error('gone');
    state.streams[0]!.fail(failure);
    await settle();
    expect(observer.getSnapshot()).toMatchObject({ status: 'error', error: failure });
    observer.reconnect();
    expect(observer.getSnapshot()).toMatchObject({ status: 'connecting', error: undefined });
    // Each stream opens after a look-up of its process (pinned at first contact).
    await settle();
    expect(state.streams).toHaveLength(2);
    expect(state.streams[1]!.options.since).toBe(2);
    expect(observer.getSnapshot().status).toBe('streaming');
    // A stuck stream is replaced too.
    observer.reconnect();
    expect(state.streams[1]!.closed).toBe(true);
    await settle();
    expect(state.streams).toHaveLength(3);
    state.streams[2]!.emit({ stream: 'stdout', text: 'c' });
    state.streams[2]!.end();
    await settle();
    expect(observer.getSnapshot().lines.map((line) => line.text)).toEqual(['a', 'b', 'c']);
    expect(observer.getSnapshot().status).toBe('ended');
    observer.reconnect();
    expect(state.streams).toHaveLength(3);
    off();
    const idle = new LogsObserver(api, '2');
    idle.reconnect();
    expect(idle.getSnapshot().status).toBe('idle');
    expect(state.streams).toHaveLength(3);
  });

  it('batches 50,000 lines into one notification per window', async () => {
    const { api, state } = fakeProcessApi();
    const observer = new LogsObserver(api, '1', { notifyIntervalMs: 100, maxLines: 1000 });
    const listener = vi.fn();
    const off = observer.subscribe(listener);
    await settle();
    listener.mockClear();
    const stream = state.streams[0]!;
    for (let i = 0; i < 50_000; i++) stream.emit({ stream: i % 2 ? 'stderr' : 'stdout', text: `line ${i}` });
    expect(listener).not.toHaveBeenCalled();
    expect(observer.getSnapshot().lines).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(listener).toHaveBeenCalledTimes(1);
    const { lines, dropped, total } = observer.getSnapshot();
    expect(lines).toHaveLength(1000);
    expect(dropped).toBe(49_000);
    expect(total).toBe(50_000);
    expect(lines[0]).toEqual({ stream: 'stdout', text: 'line 49000', index: 49_000 });
    expect(lines.at(-1)).toEqual({ stream: 'stderr', text: 'line 49999', index: 49_999 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(listener).toHaveBeenCalledTimes(1);
    off();
  });

  it('uses animation frames by default where they exist', async () => {
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => frames.push(callback));
    vi.stubGlobal('cancelAnimationFrame', () => {});
    const flush = vi.fn();
    const scheduler = createNotifyScheduler(flush);
    scheduler.schedule();
    scheduler.schedule();
    expect(frames).toHaveLength(1);
    frames[0]!(0);
    expect(flush).toHaveBeenCalledTimes(1);
    scheduler.schedule();
    expect(frames).toHaveLength(2);
  });

  it('flushes lines before reporting the end, and counts a server gap as dropped', async () => {
    const { api, state } = fakeProcessApi();
    const observer = new LogsObserver(api, '1', { notifyIntervalMs: 1000 });
    const seen: { status: string; lines: number }[] = [];
    const off = observer.subscribe(() =>
      seen.push({ status: observer.getSnapshot().status, lines: observer.getSnapshot().lines.length }),
    );
    await settle();
    const stream = state.streams[0]!;
    stream.emit({ stream: 'stdout', text: 'a' });
    stream.emit({ stream: 'stdout', text: 'b', index: 5 });
    stream.end();
    await settle();
    expect(seen.at(-1)).toEqual({ status: 'ended', lines: 2 });
    expect(observer.getSnapshot()).toMatchObject({ dropped: 4, total: 6 });
    off();
    // Ended: watching again opens no stream.
    const again = observer.subscribe(() => {});
    await settle();
    expect(state.streams).toHaveLength(1);
    again();
  });

  it('reports a fatal error and retries from the cursor when watched again', async () => {
    const { api, state } = fakeProcessApi();
    const observer = new LogsObserver(api, '1', { notifyIntervalMs: 10 });
    const off = observer.subscribe(() => {});
    await settle();
    state.streams[0]!.emit({ stream: 'stdout', text: 'a' });
    state.streams[0]!.emit({ stream: 'stdout', text: 'b' });
    const failure = new Error('gone');
    state.streams[0]!.fail(failure);
    await settle();
    expect(observer.getSnapshot()).toMatchObject({ status: 'error', error: failure });
    expect(observer.getSnapshot().lines).toHaveLength(2);
    off();
    await settle();
    const again = observer.subscribe(() => {});
    await settle();
    expect(state.streams).toHaveLength(2);
    expect(state.streams[1]!.options.since).toBe(2);
    // A replayed record is not repeated.
    state.streams[1]!.emit({ stream: 'stdout', text: 'b', index: 1 });
    state.streams[1]!.emit({ stream: 'stdout', text: 'c', index: 2 });
    await vi.advanceTimersByTimeAsync(10);
    expect(observer.getSnapshot().lines.map((line) => line.text)).toEqual(['a', 'b', 'c']);
    expect(observer.getSnapshot()).toMatchObject({ status: 'streaming', error: undefined });
    again();
  });

  it('opens no stream of another process that got the pid: the stream ends with a NotFoundError', async () => {
    const { api, state } = fakeProcessApi();
    const observer = new LogsObserver(api, '100', { notifyIntervalMs: 10 });
    let off = observer.subscribe(() => {});
    await settle();
    expect(state.streams).toHaveLength(1);
    state.streams[0]!.emit({ stream: 'stdout', text: 'a' });
    off();
    await settle();
    expect(observer.getSnapshot().status).toBe('idle');
    // While nobody watched, the process ended and the operating system gave its pid to a new one.
    state.startedAt = new Date(5000);
    off = observer.subscribe(() => {});
    await settle();
    expect(state.streams).toHaveLength(1);
    expect(observer.getSnapshot()).toMatchObject({ status: 'error', error: expect.objectContaining({ status: 404 }) });
    expect(String(observer.getSnapshot().error)).toMatch(/process 100 .*is gone/);
    expect(observer.getSnapshot().lines.map((line) => line.text)).toEqual(['a']);
    off();
  });

  it('streams the process it looked up: given as it was answered, by pid', async () => {
    const { api, state } = fakeProcessApi();
    const ids: unknown[] = [];
    const observer = new LogsObserver(
      { ...api, streamLogs: (process, options) => (ids.push(process), api.streamLogs(process, options)) },
      'job',
    );
    const off = observer.subscribe(() => {});
    await settle();
    expect(state.getCalls).toBe(1);
    expect(ids).toEqual([expect.objectContaining({ pid: 'job', status: 'running' })]);
    expect(observer.pid).toBe('job');
    off();
  });

  it('reports the stream reconnecting and streaming again', async () => {
    const { api, state } = fakeProcessApi();
    const observer = new LogsObserver(api, '1');
    const statuses: string[] = [];
    const off = observer.subscribe(() => {
      const { status } = observer.getSnapshot();
      if (statuses.at(-1) !== status) statuses.push(status);
    });
    await settle();
    state.streams[0]!.options.onStateChange?.('reconnecting');
    state.streams[0]!.options.onStateChange?.('streaming');
    state.streams[0]!.end();
    await settle();
    expect(statuses).toEqual(['connecting', 'streaming', 'reconnecting', 'streaming', 'ended']);
    off();
  });

  it('calls record listeners for every line at once, and clear empties the buffer', async () => {
    const { api, state } = fakeProcessApi();
    const observer = new LogsObserver(api, '1', { notifyIntervalMs: 10 });
    const off = observer.subscribe(() => {});
    const onRecord = vi.fn();
    const offRecord = observer.onRecord(onRecord);
    await settle();
    state.streams[0]!.emit({ stream: 'stderr', text: 'x' });
    expect(onRecord).toHaveBeenCalledWith({ stream: 'stderr', text: 'x', index: 0 });
    await vi.advanceTimersByTimeAsync(10);
    expect(observer.getSnapshot().lines).toHaveLength(1);
    observer.clear();
    expect(observer.getSnapshot()).toMatchObject({ lines: [], dropped: 0, total: 0 });
    expect(observer.cursor).toBe(1);
    offRecord();
    off();
  });
});
