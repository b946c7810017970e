import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../errors/http-errors.js';
import type { ProcessInfo } from '../types.js';
import { normalizeProcess, type WireProcess } from '../shared/normalize-process.js';
import { ProcessPin, isSameProcess } from './process-pin.js';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toUTCString();
const process = (wire: WireProcess) => normalizeProcess({ pid: '42', name: 'web', command: 'serve', ...wire });

describe('isSameProcess', () => {
  it('the same start, or a later one after a restart, is the same process', () => {
    const pinned = process({ startedAt: at(1), restartCount: 0 });
    expect(isSameProcess(pinned, process({ startedAt: at(1), status: 'completed' }))).toBe(true);
    expect(isSameProcess(pinned, process({ startedAt: at(3), restartCount: 1 }))).toBe(true);
  });

  it('a later start without a restart counted, or an earlier start, is another process (pid reused)', () => {
    const pinned = process({ startedAt: at(5), restartCount: 1 });
    expect(isSameProcess(pinned, process({ startedAt: at(9), restartCount: 0 }))).toBe(false);
    expect(isSameProcess(pinned, process({ startedAt: at(9), restartCount: 1 }))).toBe(false);
    expect(isSameProcess(pinned, process({ startedAt: at(2), restartCount: 2 }))).toBe(false);
  });

  it('a failed run waiting for its restart (counted already, as on the real server) and its restarted run are the same process', () => {
    const waiting = process({
      startedAt: at(5),
      status: 'failed',
      restartOnFailure: true,
      maxRestarts: 2,
      restartCount: 1,
    });
    expect(
      isSameProcess(
        waiting,
        process({ startedAt: at(6), status: 'running', restartOnFailure: true, maxRestarts: 2, restartCount: 1 }),
      ),
    ).toBe(true);
    expect(isSameProcess(waiting, process({ startedAt: at(6), restartCount: 0 }))).toBe(false);
    const failedForGood = process({ startedAt: at(5), status: 'failed', restartOnFailure: false, restartCount: 0 });
    expect(isSameProcess(failedForGood, process({ startedAt: at(6), restartCount: 0 }))).toBe(false);
  });

  it('missing start times are no evidence either way', () => {
    expect(isSameProcess(process({ startedAt: null }), process({ startedAt: at(1) }))).toBe(true);
    expect(isSameProcess(process({ startedAt: at(1) }), process({ startedAt: '' }))).toBe(true);
  });
});

describe('ProcessPin', () => {
  /** A `get` answering from a table of ids, recording each id asked. */
  function server(table: Record<string, ProcessInfo>) {
    const asked: string[] = [];
    const get = async (id: string) => {
      asked.push(id);
      const found = table[id];
      if (!found)
        throw new NotFoundError({
          status: 404,
          body: '{"error":"process not found"}',
          message: 'process not found',
          processId: id,
        });
      return found;
    };
    return { asked, get };
  }

  it('looks a name up once, then reads by pid only', async () => {
    const first = process({ startedAt: at(1) });
    const { asked, get } = server({ web: first, '42': first });
    const pin = new ProcessPin(get, 'web');
    expect(await pin.pid()).toBe('42');
    await pin.read();
    await pin.read();
    expect(asked).toEqual(['web', '42', '42']);
  });

  it('a pid now held by another process is reported as gone (NotFoundError), not followed', async () => {
    const table: Record<string, ProcessInfo> = { '42': process({ startedAt: at(1) }) };
    const { get } = server(table);
    const pin = new ProcessPin(get, '42');
    await pin.read();
    table['42'] = process({ name: 'other', startedAt: at(30) });
    const error = await pin.read().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toMatch(/process 42 is gone/);
  });

  it('check: the pid read first; the name asked only of a process that is over', async () => {
    const over = process({ startedAt: at(1), status: 'completed' });
    const { asked, get } = server({ '42': over, web: over });
    await new ProcessPin(get, over).check(0);
    expect(asked).toEqual(['42', 'web']);
    const running = process({ pid: '43', startedAt: at(1), status: 'running' });
    const other = server({ '43': running });
    await new ProcessPin(other.get, running).check(0);
    expect(other.asked).toEqual(['43']);
  });

  it("check: a name now another process's fails, in the words of a first read or of a resume", async () => {
    const over = process({ startedAt: at(1), status: 'completed' });
    const newer = process({ pid: '77', startedAt: at(9) });
    const { get } = server({ '42': over, web: newer });
    const failure = (since: number) => new ProcessPin(get, over).check(since).catch((caught: unknown) => caught);
    const first = await failure(0);
    expect(first).toBeInstanceOf(NotFoundError);
    expect((first as Error).message).toBe(
      `process 42 is over and its name web now names another process (pid 77, started ${new Date(Date.UTC(2026, 0, 1, 0, 0, 9)).toISOString()}), whose output the server may send under that name`,
    );
    const resumed = await failure(40);
    expect(resumed).toBeInstanceOf(NotFoundError);
    expect((resumed as Error).message).toBe(
      'process 42 is over and its name web was reused (pid 77): its output cannot be resumed',
    );
  });

  it('a process given is pinned as it is: no lookup by name', async () => {
    const given = process({ startedAt: at(1) });
    const { asked, get } = server({ '42': given });
    const pin = new ProcessPin(get, given);
    expect(pin.id).toBe('42');
    expect(await pin.pid()).toBe('42');
    expect(asked).toEqual([]);
  });
});
