import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startFaultProxy,
  type ConnectionFault,
  type FaultProxy,
  type ProxiedRequest,
  type ResponseFault,
} from '../../test/helpers/fault-proxy.js';
import { modes, startSandbox, until, type Sandbox } from '../../test/helpers/sandbox.js';
import { ExecOutcomeUnknownError, NetworkError, type LogRecord } from '../index.js';

describe.each(modes)('exec through a faulty network (%s)', (mode) => {
  let sandbox: Sandbox;
  const proxies: FaultProxy[] = [];
  const proxy = async (policy: (index: number) => ConnectionFault, onRequest?: (request: ProxiedRequest) => ResponseFault) => {
    const started = await startFaultProxy(sandbox.url, policy, onRequest);
    proxies.push(started);
    return started;
  };
  beforeAll(async () => {
    sandbox = await startSandbox(mode, { keepaliveIntervalMs: 300, ndjsonKeepaliveIntervalMs: 300 });
  });
  afterAll(async () => {
    for (const started of proxies) await started.close();
    await sandbox.close();
  });
  const processesRunning = async (command: string) =>
    (await sandbox.client.process.list()).filter((process) => process.command === command);

  it('waitForCompletion outlives an edge that cuts any response held past 1 s (504 / cut)', async () => {
    const edge = await proxy(() => ({ cutAfterMs: 1000 }));
    const client = sandbox.clientFor(edge.url);
    const lines: string[] = [];
    const records: LogRecord[] = [];
    const command = 'for i in 1 2 3 4; do echo tick $i; sleep 0.8; done';
    const process = await client.process.exec(
      { command, waitForCompletion: true },
      { onStdout: (text) => lines.push(text), onLog: (record) => records.push(record) },
    );
    expect(process.status).toBe('completed');
    expect(lines).toEqual(['tick 1', 'tick 2', 'tick 3', 'tick 4']);
    expect(records.map((record) => record.index)).toEqual([0, 1, 2, 3]);
    const quiet = await client.process.exec({ command: 'sleep 2.5; echo done', waitForCompletion: true });
    expect(quiet.status).toBe('completed');
    expect(quiet.stdout).toBe('done\n');
    expect(edge.faults).toBeGreaterThanOrEqual(2);
  });

  it('a streamed exec cut in the middle resumes its output exactly once', async () => {
    let streams = 0;
    const flaky = await proxy(
      () => ({}),
      (request) => (request.path.includes('/logs/stream') && streams++ === 0 ? { dropAfterBytes: 3000 } : {}),
    );
    const client = sandbox.clientFor(flaky.url);
    const records: LogRecord[] = [];
    const padding = 'x'.repeat(40);
    const command = `i=1; while [ $i -le 400 ]; do echo "n $i ${padding}"; [ $((i % 100)) = 0 ] && sleep 0.1; i=$((i + 1)); done`;
    const process = await client.process.exec({ command, waitForCompletion: true }, { onLog: (record) => records.push(record) });
    expect(process.status).toBe('completed');
    expect(records.map((record) => record.text)).toEqual(Array.from({ length: 400 }, (_, index) => `n ${index + 1} ${padding}`));
    expect(records.map((record) => record.index)).toEqual(Array.from({ length: 400 }, (_, index) => index));
    expect(flaky.faults).toBe(1);
  });

  it('a streamed exec that goes silent (keepalive watchdog) is followed to its end', async () => {
    let streams = 0;
    const stalling = await proxy(
      () => ({}),
      (request) => (request.path.includes('/logs/stream') && streams++ === 0 ? { stallAfterBytes: 1500 } : {}),
    );
    const lines: string[] = [];
    const command = 'for i in $(seq 1 200); do echo "s $i ........................"; done; sleep 1; echo last';
    const process = await sandbox.clientFor(stalling.url).process.exec(
      { command, waitForCompletion: true },
      { onStdout: (text) => lines.push(text), keepaliveTimeoutMs: 800 },
    );
    expect(process.status).toBe('completed');
    expect(lines).toEqual([...Array.from({ length: 200 }, (_, index) => `s ${index + 1} ........................`), 'last']);
    expect(stalling.faults).toBe(1);
  });

  it('a lost answer is recovered by name: the process is not started twice', async () => {
    const lossy = await proxy((index) => (index === 0 ? { dropOnResponse: true } : {}));
    const client = sandbox.clientFor(lossy.url);
    const command = `sleep 5 # lost answer ${mode}`;
    const process = await client.process.exec({ command });
    expect(process.status).toBe('running');
    expect(process.name).toMatch(/^proc-[a-z0-9]{8}$/);
    expect((await processesRunning(command)).length).toBe(1);
    expect(lossy.faults).toBe(1);
    const lossyAgain = await proxy((index) => (index === 0 ? { dropOnResponse: true } : {}));
    const named = await sandbox.clientFor(lossyAgain.url).process.exec({ command: `sleep 5 # named ${mode}`, name: `named-lost-${mode}` });
    expect(named.name).toBe(`named-lost-${mode}`);
    expect(lossyAgain.faults).toBe(1);
    await sandbox.client.process.kill(process.pid);
    await sandbox.client.process.kill(named.pid);
  });

  it('a request that never reached the server rejects with NetworkError (nothing started)', async () => {
    const refusing = await proxy((index) => (index === 0 ? { dropRequest: true } : {}));
    const command = `true # never sent ${mode}`;
    const error = await sandbox.clientFor(refusing.url).process.exec({ command }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NetworkError);
    expect(refusing.faults).toBe(1);
    expect(await processesRunning(command)).toEqual([]);
  });

  it('when the lookup fails too, exec says it cannot know (ExecOutcomeUnknownError)', async () => {
    const dead = await proxy((index) => (index === 0 ? { dropOnResponse: true } : { dropRequest: true }));
    const command = `sleep 5 # unknown ${mode}`;
    const error = await sandbox.clientFor(dead.url, { retry: false }).process.exec({ command }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ExecOutcomeUnknownError);
    const name = (error as ExecOutcomeUnknownError).processName;
    expect((await sandbox.client.process.get(name)).status).toBe('running');
    await sandbox.client.process.kill(name);
  });

  it('a background output stream that cannot go on reports to onError', async () => {
    const link = await proxy(() => ({}));
    const errors: unknown[] = [];
    const lines: string[] = [];
    const process = await sandbox.clientFor(link.url, { retry: false }).process.exec(
      { command: 'echo first; sleep 30' },
      { onStdout: (text) => lines.push(text), onError: (error) => errors.push(error), reconnect: { maxAttempts: 2, initialDelayMs: 10 } },
    );
    await until(() => lines.length === 1);
    await link.close(); // the sandbox becomes unreachable
    await until(() => errors.length === 1);
    expect((errors[0] as { kind: string }).kind).toBe('stream');
    await sandbox.client.process.kill(process.pid);
  });

  it('background output of exec without waiting survives dropped connections', async () => {
    let streams = 0;
    const flaky = await proxy(
      () => ({}),
      (request) => (request.path.includes('/logs/stream') && streams++ < 2 ? { dropAfterBytes: 2000 } : {}),
    );
    const lines: string[] = [];
    const command = 'sleep 0.2; for i in $(seq 1 700); do echo "bg $i"; done; sleep 0.3; echo end';
    await sandbox.clientFor(flaky.url).process.exec({ command }, { onStdout: (text) => lines.push(text) });
    await until(() => lines.at(-1) === 'end');
    expect(lines).toEqual([...Array.from({ length: 700 }, (_, index) => `bg ${index + 1}`), 'end']);
    expect(flaky.faults).toBe(2);
  });
});
