import { describe, expect, it } from 'vitest';
import { isProcessFinished, isTerminalStatus, normalizeProcess } from './normalize-process.js';
import { backoffDelay, sleep } from './sleep.js';

describe('normalizeProcess', () => {
  it('turns every wire variant into the normalized shape', () => {
    const running = normalizeProcess({
      pid: 42,
      name: 'n',
      command: 'c',
      status: 'running',
      startedAt: 'Wed, 01 Jan 2025 12:00:00 GMT',
      completedAt: '',
    });
    expect(running.pid).toBe('42');
    expect(running.startedAt?.toISOString()).toBe('2025-01-01T12:00:00.000Z');
    expect(running.completedAt).toBeNull();
    expect(running.stdout).toBeNull();
    expect(running.exitCode).toBe(0);
    expect(running.restartOnFailure).toBe(false);
    const listed = normalizeProcess({ pid: '7', status: 'completed', completedAt: null, logs: null });
    expect(listed.completedAt).toBeNull();
    expect(listed.logs).toBeNull();
    expect(listed.workingDir).toBe('');
    expect(normalizeProcess({ startedAt: 'not a date' }).startedAt).toBeNull();
    expect(normalizeProcess({}).status).toBe('running');
  });
});

describe('isProcessFinished / isTerminalStatus', () => {
  const base = normalizeProcess({
    pid: '1',
    status: 'failed',
    restartOnFailure: true,
    maxRestarts: 2,
    restartCount: 1,
  });
  it('a failed process with a restart budget left is not finished', () => {
    expect(isTerminalStatus(base.status)).toBe(true);
    expect(isProcessFinished(base)).toBe(false);
    expect(isProcessFinished({ ...base, restartCount: 2 })).toBe(true);
    expect(isProcessFinished({ ...base, maxRestarts: -1, restartCount: 50 })).toBe(false);
    expect(isProcessFinished({ ...base, restartOnFailure: false })).toBe(true);
    expect(isProcessFinished({ ...base, status: 'running' })).toBe(false);
    expect(isProcessFinished({ ...base, status: 'killed' })).toBe(true);
  });
});

describe('backoffDelay and sleep', () => {
  it('grows exponentially, with jitter in [base/2, base], bounded by maxDelayMs', () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const base = Math.min(5000, 100 * 2 ** (attempt - 1));
      for (let sample = 0; sample < 20; sample++) {
        const delay = backoffDelay(attempt, 100, 5000);
        expect(delay).toBeGreaterThanOrEqual(base / 2);
        expect(delay).toBeLessThanOrEqual(base);
      }
    }
  });

  it('sleep rejects with the abort reason', async () => {
    const controller = new AbortController();
    const sleeping = sleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    await expect(sleep(10, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });
});
