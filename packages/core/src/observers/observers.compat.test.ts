import { countingFetch, until } from '@sandproc/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modes, startSandbox, type Sandbox } from '../../test/helpers/sandbox.js';
import type { ProcessInfo } from '../types.js';
import { ObserverCache } from './observer-cache.js';

describe.each(modes)('polling observers keep what did not change (%s)', (mode) => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(mode);
  });
  afterAll(() => sandbox.close());

  it('unchanged polls keep the process and the list (its array and its items); a change replaces only what changed', async () => {
    const counting = countingFetch();
    const client = sandbox.clientFor(sandbox.url, { fetch: counting.fetch });
    const started: ProcessInfo[] = [];
    for (let index = 0; index < 4; index++) started.push(await client.process.exec({ command: 'sleep 30' }));
    const [first] = started;
    const cache = new ObserverCache();
    const processObserver = cache.getProcessObserver(client, first!.pid, { intervalMs: 10 });
    const listObserver = cache.getProcessListObserver(client, { intervalMs: 10 });
    const unsubscribe = [processObserver.subscribe(() => {}), listObserver.subscribe(() => {})];
    const pids = new Set(started.map((process) => process.pid));
    const listed = () => listObserver.getSnapshot().data?.filter((process) => pids.has(process.pid)).length ?? 0;
    await until(() => processObserver.getSnapshot().data !== undefined && listed() === pids.size);
    const polls = () => counting.count('GET', '/process');
    const before = {
      process: processObserver.getSnapshot().data,
      list: listObserver.getSnapshot().data,
      polls: polls(),
    };
    await until(() => polls() >= before.polls + 10 && !listObserver.getSnapshot().isFetching);
    expect(processObserver.getSnapshot().data).toBe(before.process);
    expect(listObserver.getSnapshot().data).toBe(before.list);
    // One process changes: the list is new, the others are the same objects, in the same places.
    await client.process.kill(started[3]!.pid);
    await until(
      () => listObserver.getSnapshot().data?.find((process) => process.pid === started[3]!.pid)?.status !== 'running',
    );
    const after = listObserver.getSnapshot().data ?? [];
    expect(after).not.toBe(before.list);
    for (const process of started.slice(0, 3)) {
      const index = before.list!.findIndex((item) => item.pid === process.pid);
      expect(after[index]).toBe(before.list![index]);
    }
    for (const stop of unsubscribe) stop();
    for (const process of started.slice(0, 3)) await client.process.kill(process.pid);
  });
});
