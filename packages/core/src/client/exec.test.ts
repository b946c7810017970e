import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startFaultProxy,
  type ConnectionFault,
  type FaultProxy,
  type ProxiedRequest,
  type ResponseFault,
} from '../../test/helpers/fault-proxy.js';
import { modes, startSandbox, until, type Sandbox } from '../../test/helpers/sandbox.js';
import {
  ExecOutcomeUnknownError,
  HttpError,
  NetworkError,
  RequestTimeoutError,
  StreamError,
  isStreamError,
  type LogRecord,
} from '../index.js';

describe.each(modes)('exec through a faulty network (%s)', (mode) => {
  let sandbox: Sandbox;
  const proxies: FaultProxy[] = [];
  const proxy = async (
    policy: (index: number) => ConnectionFault,
    onRequest?: (request: ProxiedRequest) => ResponseFault,
  ) => {
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
    // 64-byte lines: the real server reads output in 4096-byte chunks, and a reconnect that lands in
    // the middle of a line gets that line cut in two (its replay ends the partial line with a newline).
    const padding = 'x'.repeat(55);
    const command = `i=1; while [ $i -le 400 ]; do printf 'n %05d %s\\n' $i ${padding}; [ $((i % 100)) = 0 ] && sleep 0.1; i=$((i + 1)); done`;
    const process = await client.process.exec(
      { command, waitForCompletion: true },
      { onLog: (record) => records.push(record) },
    );
    expect(process.status).toBe('completed');
    expect(records.map((record) => record.text)).toEqual(
      Array.from({ length: 400 }, (_, index) => `n ${String(index + 1).padStart(5, '0')} ${padding}`),
    );
    expect(records.map((record) => record.index)).toEqual(Array.from({ length: 400 }, (_, index) => index));
    expect(flaky.faults).toBe(1);
  });

  it('a streamed exec that goes silent (keepalive watchdog) is followed to its end', async () => {
    // Every log stream stalls until one has: under load the first one can be given up by the watchdog
    // (800 ms) before its answer even starts, and must not leave the test without a stall.
    const stalling: FaultProxy = await proxy(
      () => ({}),
      (request) => (request.path.includes('/logs/stream') && stalling.faults === 0 ? { stallAfterBytes: 1500 } : {}),
    );
    const lines: string[] = [];
    const command = 'for i in $(seq 1 200); do echo "s $i ........................"; done; sleep 1; echo last';
    const process = await sandbox
      .clientFor(stalling.url)
      .process.exec(
        { command, waitForCompletion: true },
        { onStdout: (text) => lines.push(text), keepaliveTimeoutMs: 800 },
      );
    expect(process.status).toBe('completed');
    expect(lines).toEqual([
      ...Array.from({ length: 200 }, (_, index) => `s ${index + 1} ........................`),
      'last',
    ]);
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
    const named = await sandbox
      .clientFor(lossyAgain.url)
      .process.exec({ command: `sleep 5 # named ${mode}`, name: `named-lost-${mode}` });
    expect(named.name).toBe(`named-lost-${mode}`);
    expect(lossyAgain.faults).toBe(1);
    await sandbox.client.process.kill(process.pid);
    await sandbox.client.process.kill(named.pid);
  });

  it('a network error then a 404 lookup is no proof: ExecOutcomeUnknownError, cause NetworkError', async () => {
    const refusing = await proxy((index) => (index === 0 ? { dropRequest: true } : {}));
    const command = `true # never sent ${mode}`;
    const error = await sandbox
      .clientFor(refusing.url)
      .process.exec({ command })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ExecOutcomeUnknownError);
    expect((error as ExecOutcomeUnknownError).cause).toBeInstanceOf(NetworkError);
    expect(refusing.faults).toBe(1);
    expect(await processesRunning(command)).toEqual([]);
  });

  it('a request timeout then a 404 lookup is no proof either: ExecOutcomeUnknownError, cause RequestTimeoutError', async () => {
    const silent = await proxy((index) => (index === 0 ? { blackhole: true } : {}));
    const client = sandbox.clientFor(silent.url, { requestTimeoutMs: 300 });
    const error = await client.process.exec({ command: `true # timed out ${mode}` }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ExecOutcomeUnknownError);
    expect((error as ExecOutcomeUnknownError).cause).toBeInstanceOf(RequestTimeoutError);
  });

  it('a 5xx answer then a 404 lookup: the original HttpError (nothing started)', async () => {
    const busy = await proxy((index) => (index === 0 ? { answer503: true } : {}));
    const command = `true # busy ${mode}`;
    const error = await sandbox
      .clientFor(busy.url)
      .process.exec({ command })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(503);
    expect(await processesRunning(command)).toEqual([]);
  });

  it('a reused name found after a lost request is not taken for the new exec (another command)', async () => {
    const name = `reused-${mode}`;
    await sandbox.client.process.exec({ name, command: 'echo one', waitForCompletion: true });
    const refusing = await proxy((index) => (index === 0 ? { dropRequest: true } : {}));
    const error = await sandbox
      .clientFor(refusing.url)
      .process.exec({ name, command: 'echo two', waitForCompletion: true })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ExecOutcomeUnknownError);
    expect((error as ExecOutcomeUnknownError).processName).toBe(name);
    expect(
      (await sandbox.client.process.list())
        .filter((process) => process.name === name)
        .map((process) => process.command),
    ).toEqual(['echo one']);
  });

  /** A client whose name lookups see the server's `Date` moved by `shiftMs`, or no `Date` at all (`null`). */
  const dateShifting = (baseUrl: string, shiftMs: number | null) =>
    sandbox.clientFor(baseUrl, {
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        const headers = new Headers(response.headers);
        const date = headers.get('date');
        if (shiftMs === null) headers.delete('date');
        else if (date) headers.set('date', new Date(Date.parse(date) + shiftMs).toUTCString());
        return new Response(response.body, { status: response.status, headers });
      },
    });

  it('a reused name with the same command that started before the request is not taken either (server clock)', async () => {
    const name = `reused-same-${mode}`;
    await sandbox.client.process.exec({ name, command: 'true', waitForCompletion: true });
    const refusing = await proxy((index) => (index === 0 ? { dropRequest: true } : {}));
    // As if the lookup happened a minute after the first process started, on the server's clock.
    const error = await dateShifting(refusing.url, 60_000)
      .process.exec({ name, command: 'true' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ExecOutcomeUnknownError);
    expect((await sandbox.client.process.list()).filter((process) => process.name === name).length).toBe(1);
  });

  it('without a readable Date header, a lost answer for a chosen name is reported as unknown', async () => {
    const name = `no-date-${mode}`;
    const lossy = await proxy((index) => (index === 0 ? { dropOnResponse: true } : {}));
    const error = await dateShifting(lossy.url, null)
      .process.exec({ name, command: 'sleep 5' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ExecOutcomeUnknownError);
    expect((await sandbox.client.process.get(name)).status).toBe('running'); // it did start: "unknown" was honest
    await sandbox.client.process.kill(name);
    // The same with the header: the process is recognized (started after the request was sent).
    const lossyAgain = await proxy((index) => (index === 0 ? { dropOnResponse: true } : {}));
    const found = await dateShifting(lossyAgain.url, 0).process.exec({ name, command: 'sleep 5' });
    expect(found.command).toBe('sleep 5');
    await sandbox.client.process.kill(name);
  });

  it('once the process started, a failure to follow it rejects with StreamError carrying the process', async () => {
    const noStreams = await proxy(
      () => ({}),
      (request) => (request.path.includes('/logs/stream') ? { dropOnResponse: true } : {}),
    );
    const command = `echo followed; sleep 0.3 # ${mode}`;
    const error = await sandbox
      .clientFor(noStreams.url)
      .process.exec(
        { command, waitForCompletion: true },
        { onStdout: () => {}, reconnect: { maxAttempts: 1, initialDelayMs: 10 } },
      )
      .catch((caught: unknown) => caught);
    expect(isStreamError(error)).toBe(true);
    const started = (error as StreamError).process;
    expect(started?.command).toBe(command);
    expect((error as StreamError).cause).toBeInstanceOf(StreamError);
    expect((await sandbox.client.process.wait(started!.pid, { intervalMs: 50 })).status).toBe('completed');
    expect((await sandbox.client.process.list()).filter((process) => process.command === command).length).toBe(1);
  });

  it('when the lookup fails too, exec says it cannot know (ExecOutcomeUnknownError)', async () => {
    const dead = await proxy((index) => (index === 0 ? { dropOnResponse: true } : { dropRequest: true }));
    const command = `sleep 5 # unknown ${mode}`;
    const error = await sandbox
      .clientFor(dead.url, { retry: false })
      .process.exec({ command })
      .catch((caught: unknown) => caught);
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
      {
        onStdout: (text) => lines.push(text),
        onError: (error) => errors.push(error),
        reconnect: { maxAttempts: 2, initialDelayMs: 10 },
      },
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
