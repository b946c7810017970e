import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeProcessApi } from './fake-process-api.test-helper.js';
import { LineBuffer } from './line-buffer.js';
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

  it('stays linear with a large maxLines: 200,000 lines in batches of 100 are copied once, when read', async () => {
    const { api, state } = fakeProcessApi();
    const appends = vi.spyOn(LineBuffer.prototype, 'append');
    const total = 200_000;
    const observer = new LogsObserver(api, '1', { notifyIntervalMs: 1, maxLines: total });
    let notifications = 0;
    const off = observer.subscribe(() => notifications++);
    await settle();
    const stream = state.streams[0]!;
    for (let sent = 0; sent < total; sent += 100) {
      for (let i = sent; i < sent + 100; i++) stream.emit({ stream: 'stdout', text: `${i}` });
      vi.advanceTimersByTime(1); // one notification window per batch
    }
    expect(notifications).toBe(total / 100 + 2); // + connecting, streaming
    const { lines } = observer.getSnapshot();
    expect(lines).toHaveLength(total);
    expect(lines.at(-1)!.index).toBe(total - 1);
    // Copying the buffer on every batch would copy 100 + 200 + … + 200,000 lines (2e8).
    const buffer = appends.mock.contexts[0] as LineBuffer;
    expect(appends.mock.contexts.every((context) => context === buffer)).toBe(true);
    expect(buffer.copiedLines).toBe(total); // the one read
    appends.mockRestore();
    off();
  });

  it('keeps exactly the last maxLines lines, moving each line a bounded number of times', async () => {
    const { api, state } = fakeProcessApi();
    const appends = vi.spyOn(LineBuffer.prototype, 'append');
    const observer = new LogsObserver(api, '1', { notifyIntervalMs: 1, maxLines: 1000 });
    const off = observer.subscribe(() => {});
    await settle();
    const stream = state.streams[0]!;
    let reads = 0;
    for (let sent = 0; sent < 100_000; sent += 100) {
      for (let i = sent; i < sent + 100; i++) stream.emit({ stream: i % 3 ? 'stdout' : 'stderr', text: `${i}` });
      vi.advanceTimersByTime(1);
      if (sent % 10_000 === 0) {
        reads++;
        const { lines, dropped, total } = observer.getSnapshot();
        expect(total).toBe(sent + 100);
        expect(lines).toHaveLength(Math.min(1000, total));
        expect(dropped).toBe(total - lines.length);
        expect(lines.map((line) => line.index)).toEqual(Array.from(lines, (_, i) => dropped + i));
      }
    }
    const { lines, dropped, total } = observer.getSnapshot();
    expect([lines.length, dropped, total]).toEqual([1000, 99_000, 100_000]);
    expect(lines[0]).toEqual({ stream: 'stderr', text: '99000', index: 99_000 }); // 99000 % 3 === 0
    // Compactions move at most each line once; each read copies the 1,000 lines kept.
    const buffer = appends.mock.contexts[0] as LineBuffer;
    expect(buffer.copiedLines).toBeLessThanOrEqual(100_000 + (reads + 1) * 1000);
    appends.mockRestore();
    off();
  });

  it('keeps one snapshot until something changes, and makes a new one for each change', async () => {
    const { api, state } = fakeProcessApi();
    const observer = new LogsObserver(api, '1', { notifyIntervalMs: 10, maxLines: 3 });
    const seen: ReturnType<typeof observer.getSnapshot>[] = [];
    const off = observer.subscribe(() => seen.push(observer.getSnapshot()));
    await settle();
    const stream = state.streams[0]!;
    const streaming = observer.getSnapshot();
    expect(observer.getSnapshot()).toBe(streaming);
    for (const text of ['a', 'b', 'c', 'd']) stream.emit({ stream: 'stdout', text });
    expect(observer.getSnapshot()).toBe(streaming); // not flushed yet
    await vi.advanceTimersByTimeAsync(10);
    const first = observer.getSnapshot();
    expect(first).not.toBe(streaming);
    expect(observer.getSnapshot()).toBe(first);
    expect(observer.getSnapshot().lines).toBe(first.lines);
    expect(first.lines.map((line) => line.text)).toEqual(['b', 'c', 'd']);
    await vi.advanceTimersByTimeAsync(50); // nothing new: the same snapshot
    expect(observer.getSnapshot()).toBe(first);
    stream.emit({ stream: 'stderr', text: 'e' });
    await vi.advanceTimersByTimeAsync(10);
    const second = observer.getSnapshot();
    expect(second).not.toBe(first);
    expect(second.lines.map((line) => line.text)).toEqual(['c', 'd', 'e']);
    expect(first.lines.map((line) => line.text)).toEqual(['b', 'c', 'd']); // an old snapshot never changes
    expect([second.dropped, second.total]).toEqual([2, 5]);
    expect(seen.at(-1)).toBe(second);
    expect(new Set(seen).size).toBe(seen.length);
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
      {
        ...api,
        streamLogs: (process, options) => {
          ids.push(process);
          return api.streamLogs(process, options);
        },
      },
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
