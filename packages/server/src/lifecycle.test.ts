import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { groupHasMembers } from './process/signal-group.js';
import {
  commandProcesses,
  hostPidOf,
  isAlive,
  pollUntil,
  startTestServer,
  type TestServer,
} from './testing/test-server.js';

let sandbox: TestServer;
beforeAll(async () => {
  sandbox = await startTestServer();
});
afterAll(async () => {
  await sandbox.server.close();
});

/** A path no other test creates: a command waits for it to exist before it goes on. */
function gatePath(label: string): string {
  return join(tmpdir(), `sandproc-gate-${label}-${process.pid}-${Math.random().toString(36).slice(2)}`);
}

/** The state letter of a process in /proc (R, S, T, Z, ...). */
function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

describe('signals and process groups', () => {
  it('a kill with a signal the process does not die of leaves it running, and restartOnFailure still works', async () => {
    const gate = gatePath('winch');
    const { json } = await sandbox.exec({
      command: `echo ready; while [ ! -e ${gate} ]; do sleep 0.05; done; exit 3`,
      restartOnFailure: true,
      maxRestarts: 1,
    });
    await pollUntil(async () => (await sandbox.get(json.pid)).stdout.includes('ready'));
    expect(
      (await sandbox.request('DELETE', `/process/${json.pid}/kill`, { body: { signal: 'SIGWINCH' } })).status,
    ).toBe(200);
    writeFileSync(gate, '');
    const final = await sandbox.waitForStatus(json.pid, (process) => process.status !== 'running');
    expect(final).toMatchObject({ status: 'failed', exitCode: 3, restartCount: 1 });
    expect(final.stdout).toBe('ready\n\n[Process failed with exit code 3. Attempting restart 1/1...]\nready\n');
  });

  it('a handled SIGUSR1 does not mark the process killed', async () => {
    const gate = gatePath('usr1');
    const { json } = await sandbox.exec({
      command: `trap 'echo got-usr1' USR1; echo ready; while [ ! -e ${gate} ]; do sleep 0.05; done; exit 4`,
    });
    await pollUntil(async () => (await sandbox.get(json.pid)).stdout.includes('ready'));
    expect((await sandbox.request('DELETE', `/process/${json.pid}/kill`, { body: { signal: 'SIGUSR1' } })).status).toBe(
      200,
    );
    await pollUntil(async () => (await sandbox.get(json.pid)).stdout.includes('got-usr1'));
    expect((await sandbox.get(json.pid)).status).toBe('running');
    writeFileSync(gate, '');
    const final = await sandbox.waitForStatus(json.pid, (process) => process.status !== 'running');
    expect(final).toMatchObject({ status: 'failed', exitCode: 4 });
  });

  it('SIGSTOP then stop ends stopped', async () => {
    const { json } = await sandbox.exec({ command: 'exec sleep 300' });
    const pid = Number(json.pid);
    let sleepPid = 0;
    await pollUntil(() => {
      sleepPid =
        commandProcesses(pid, sandbox.server.options.containment).find((entry) => entry.cmdline.startsWith('sleep'))
          ?.pid ?? 0;
      return sleepPid > 0;
    });
    expect((await sandbox.request('DELETE', `/process/${pid}/kill`, { body: { signal: 'SIGSTOP' } })).status).toBe(200);
    await pollUntil(() => processState(sleepPid) === 'T');
    expect((await sandbox.get(json.pid)).status).toBe('running');
    expect((await sandbox.request('DELETE', `/process/${pid}`)).status).toBe(200);
    const final = await sandbox.waitForStatus(json.pid, (process) => process.status !== 'running');
    expect(final).toMatchObject({ status: 'stopped', exitCode: -1 });
  });

  it('stop and kill of a finished process reach a background child still in its group', async () => {
    for (const path of ['', '/kill']) {
      const { json } = await sandbox.exec({ command: 'sleep 311 & echo $!', waitForCompletion: true });
      expect(json.status).toBe('completed');
      const backgroundPid = hostPidOf(json.pid, Number(json.stdout.trim()), sandbox.server.options.containment);
      expect(isAlive(backgroundPid)).toBe(true);
      const answer = await sandbox.request<{ message: string }>('DELETE', `/process/${json.pid}${path}`);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ message: expect.any(String) });
      await pollUntil(() => !isAlive(backgroundPid));
      expect((await sandbox.get(json.pid)).status).toBe('completed');
      await pollUntil(() => !groupHasMembers(Number(json.pid)));
      expect((await sandbox.request('DELETE', `/process/${json.pid}${path}`)).status).toBe(404);
    }
  });

  it('never signals the group id of a group with no members left (the system may reuse it)', async () => {
    const own = await startTestServer();
    let kill: { mock: { calls: Array<Parameters<typeof process.kill>> }; mockRestore(): void } | undefined;
    let groupIds: number[] = [];
    let calls: Array<Parameters<typeof process.kill>> = [];
    try {
      const quick = await own.exec({ command: 'true', waitForCompletion: true });
      const withChild = await own.exec({ command: 'sleep 0.5 & echo started', waitForCompletion: true });
      groupIds = [Number(quick.json.pid), Number(withChild.json.pid)];
      await pollUntil(() => groupIds.every((groupId) => !groupHasMembers(groupId)));
      kill = vi.spyOn(process, 'kill');
      expect((await own.request('DELETE', `/process/${quick.json.pid}`)).status).toBe(404);
      expect((await own.request('DELETE', `/process/${withChild.json.pid}/kill`)).status).toBe(404);
      await own.server.close();
    } finally {
      calls = [...(kill?.mock.calls ?? [])];
      kill?.mockRestore();
      await own.server.close();
    }
    // In fallback mode the spy sees the membership checks (signal 0); in a PID namespace the server
    // no longer looks at a run whose launcher exited. No real signal went to those ids in any mode.
    if (own.server.options.containment === 'process-group') {
      expect(calls.some(([pid, signal]) => groupIds.includes(-pid) && signal === 0)).toBe(true);
    }
    const groupSignals = calls.filter(
      ([pid, signal]) => (groupIds.includes(-pid) || groupIds.includes(pid)) && signal !== 0,
    );
    expect(groupSignals).toEqual([]);
  });
});
