/** `/logs/stream`, the NDJSON exec stream, and the process list. */
import { expect } from 'vitest';
import {
  bodyOf,
  differs,
  finished,
  until,
  get,
  post,
  postStreaming,
  printed,
  request,
  scenario,
  stream,
  type DeclaredDifference,
  type ExchangeRecord,
  type Scenario,
} from '../scenario.js';

const RESTART_NOTICE = '[Process failed with exit code 1. Attempting restart 1/1...]';
/** A restart notice on a stream opened right after it was written (see `noticeFramingVaries`). */
const PENDING_NOTICE = '<restart notice, bare or as stdout>';

// Restart scenarios print, then wait before they fail: the reference reads output files every 50 ms,
// and writes its restart notice to live streams at once, so output printed just before the exit
// arrives after the notice there.

/**
 * Waits for the end of a process that restarts once and prints `run` each time. (During the
 * restart delay the reference already shows it `failed` with `completedAt` and the final
 * `restartCount`: only the output tells the two apart.)
 */
const ranTwice = (key: string) =>
  until(
    `/process/{${key}}`,
    (process: { status?: string; completedAt?: string | null; stdout?: string }) =>
      process.status !== 'running' &&
      Boolean(process.completedAt) &&
      (process.stdout ?? '').split('run\n').length === 3,
  );

/**
 * The extended mode's declared difference after a restart (PROTOCOL.md §7): the real server's log
 * stream replays the output of earlier runs again, ours does not.
 */
const replaysEarlierRuns = (
  reference: (records: ExchangeRecord[]) => void,
  ours: (records: ExchangeRecord[]) => void,
): DeclaredDifference =>
  differs(
    'extended',
    'PROTOCOL.md §7 (the real server replays the output of earlier runs again after a restart)',
    reference,
    ours,
  );

const FIVE_LINES = 'for i in 1 2 3 4 5; do echo "line $i"; sleep 0.1; done';

export const streamScenarios: Scenario[] = [
  scenario('log stream of a running process: every line once, ends at exit', [
    post({ command: `sleep 0.3; ${FIVE_LINES}` }, { save: 'a' }),
    stream('/process/{a}/logs/stream'),
  ]),
  scenario(
    'log stream of a finished process: the backlog, then the end',
    [
      post(
        { command: 'echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three', waitForCompletion: true },
        { save: 'a' },
      ),
      stream('/process/{a}/logs/stream'),
    ],
    {
      differences: [
        differs(
          'extended',
          'PROTOCOL.md §7 (logs in the order written)',
          (records) => {
            expect(bodyOf(records, 0).logs).toBe('one\nthree\ntwo\n');
          },
          (records) => {
            expect(bodyOf(records, 0).logs).toBe('one\ntwo\nthree\n');
            expect(records[1]?.body).toEqual(['stdout:one', 'stderr:two', 'stdout:three']);
          },
        ),
      ],
    },
  ),
  scenario(
    'log stream while the process is stopped',
    [
      post({ command: 'echo up; sleep 30' }, { save: 'a', outputAtAnswerVaries: true }),
      printed('a', 'up'),
      request('DELETE', '/process/{a}'),
      stream('/process/{a}/logs/stream'),
    ],
    {
      differences: [
        differs(
          'extended',
          'PROTOCOL.md §7 (the backlog replays notices)',
          (records) => {
            expect(records[2]?.body).toEqual(['stdout:up']);
          },
          (records) => {
            expect(records[2]?.body).toEqual(['stdout:up', '[Process is being gracefully terminated]']);
          },
        ),
      ],
    },
  ),
  scenario('exec with Accept: text/event-stream', [
    postStreaming({ command: 'sleep 0.2; echo x; sleep 0.2; echo y >&2; sleep 0.2; exit 3' }),
  ]),
  scenario(
    'exec with Accept: text/event-stream outlives its timeout',
    [postStreaming({ command: 'sleep 0.2; echo a; sleep 1.5; echo b', timeout: 1 })],
    {
      differences: [
        differs(
          'extended',
          'PROTOCOL.md §7 (the NDJSON exec honours timeout)',
          (records) => {
            expect(records[0]?.body).toEqual([
              'stdout:a',
              'stdout:b',
              { result: expect.objectContaining({ status: 'completed' }) },
            ]);
          },
          (records) => {
            expect(records[0]?.body).toEqual([
              'stdout:a',
              'error:process timed out after 1 seconds',
              { result: expect.objectContaining({ status: 'running' }) },
            ]);
          },
        ),
      ],
    },
  ),
  scenario(
    'exec with Accept: text/event-stream of a process that restarts',
    [
      postStreaming(
        { command: 'sleep 0.2; echo run; sleep 0.3; exit 1', restartOnFailure: true, maxRestarts: 1 },
        { save: 'a' },
      ),
      ranTwice('a'),
      get('/process/{a}'),
    ],
    {
      differences: [
        differs(
          'extended',
          'PROTOCOL.md §7 (streams follow a process through its restarts)',
          (records) => {
            expect(records[0]?.body).toEqual([
              'stdout:run',
              RESTART_NOTICE,
              RESTART_NOTICE,
              { result: expect.objectContaining({ status: 'failed', restartCount: 1 }) },
            ]);
          },
          (records) => {
            expect(records[0]?.body).toEqual([
              'stdout:run',
              'stdout:run',
              { result: expect.objectContaining({ status: 'failed', restartCount: 1 }) },
            ]);
          },
        ),
      ],
    },
  ),
  scenario(
    'log stream of a process that restarts: ends at the restart',
    [
      post(
        { command: 'sleep 0.3; echo run; sleep 0.3; exit 1', restartOnFailure: true, maxRestarts: 1 },
        { save: 'a' },
      ),
      stream('/process/{a}/logs/stream'),
      ranTwice('a'),
    ],
    {
      differences: [
        differs(
          'extended',
          'PROTOCOL.md §7 (streams follow a process through its restarts)',
          (records) => {
            expect(records[1]?.body).toEqual(['stdout:run', RESTART_NOTICE, RESTART_NOTICE]);
          },
          (records) => {
            expect(records[1]?.body).toEqual(['stdout:run', RESTART_NOTICE, 'stdout:run']);
          },
        ),
      ],
    },
  ),
  scenario(
    'log stream of a process that restarted, replayed',
    [
      post(
        { command: 'sleep 0.2; echo run; exit 1', restartOnFailure: true, maxRestarts: 1, waitForCompletion: true },
        { save: 'a' },
      ),
      ranTwice('a'),
      stream('/process/{a}/logs/stream'),
    ],
    {
      differences: [
        replaysEarlierRuns(
          (records) => {
            expect(records[1]?.body).toEqual([
              'stdout:run',
              `stdout:${RESTART_NOTICE}`,
              'stdout:run',
              `stdout:${RESTART_NOTICE}`,
              'stdout:run',
            ]);
          },
          (records) => {
            expect(records[1]?.body).toEqual(['stdout:run', expect.stringContaining(RESTART_NOTICE), 'stdout:run']);
          },
        ),
      ],
    },
  ),
  scenario(
    'log stream after two restarts, stdout and stderr, replayed',
    [
      post(
        {
          command: 'sleep 0.2; echo out; echo err >&2; sleep 0.2; exit 1',
          restartOnFailure: true,
          maxRestarts: 2,
          waitForCompletion: true,
        },
        { save: 'a' },
      ),
      stream('/process/{a}/logs/stream'),
    ],
    {
      differences: [
        replaysEarlierRuns(
          (records) => {
            const notice = (attempt: number) =>
              `stdout:[Process failed with exit code 1. Attempting restart ${attempt}/2...]`;
            const firstRun = ['stdout:out', 'stderr:err', notice(1)];
            const rereadAfter1 = ['stdout:out', notice(1), 'stderr:err'];
            const secondRun = ['stdout:out', 'stderr:err', notice(2)];
            const rereadAfter2 = ['stdout:out', notice(1), 'stdout:out', notice(2), 'stderr:err', 'stderr:err'];
            expect(records[1]?.body).toEqual([
              ...firstRun,
              ...rereadAfter1,
              ...secondRun,
              ...rereadAfter2,
              'stdout:out',
              'stderr:err',
            ]);
          },
          (records) => {
            expect(records[1]?.body).toEqual([
              'stdout:out',
              'stderr:err',
              expect.stringContaining('Attempting restart 1/2'),
              'stdout:out',
              'stderr:err',
              expect.stringContaining('Attempting restart 2/2'),
              'stdout:out',
              'stderr:err',
            ]);
          },
        ),
      ],
    },
  ),
  scenario(
    'log stream opened while the run after a restart goes on',
    [
      post(
        {
          command:
            'n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; sleep 0.2; echo "run $n"; echo "e$n" >&2; [ $n -ge 2 ] && sleep 1 && exit 0; sleep 0.2; exit 1',
          workingDir: '{dir}',
          restartOnFailure: true,
          maxRestarts: 1,
        },
        { save: 'a' },
      ),
      until('/process/{a}', (process: { stdout?: string }) => (process.stdout ?? '').includes('run 2')),
      stream('/process/{a}/logs/stream'),
      finished('a'),
      get('/process/{a}'),
    ],
    {
      differences: [
        replaysEarlierRuns(
          (records) => {
            expect(records[1]?.body).toEqual([
              'stdout:run 1',
              'stderr:e1',
              `stdout:${RESTART_NOTICE}`,
              'stdout:run 1',
              `stdout:${RESTART_NOTICE}`,
              'stderr:e1',
              'stdout:run 2',
              'stderr:e2',
            ]);
          },
          (records) => {
            expect(records[1]?.body).toEqual([
              'stdout:run 1',
              'stderr:e1',
              expect.stringContaining(RESTART_NOTICE),
              'stdout:run 2',
              'stderr:e2',
            ]);
          },
        ),
      ],
    },
  ),
  scenario(
    'log stream opened while a restart is pending',
    [
      post(
        { command: 'sleep 0.2; echo run; echo err >&2; sleep 0.2; exit 1', restartOnFailure: true, maxRestarts: 1 },
        { save: 'a' },
      ),
      // The notice is written once the status shows failed: waiting for it keeps that race out.
      until(
        '/process/{a}',
        (process: { status?: string; stdout?: string }) =>
          process.status === 'failed' && (process.stdout ?? '').includes('Attempting restart'),
      ),
      stream('/process/{a}/logs/stream', { noticeFramingVaries: true }),
      finished('a'),
      get('/process/{a}'),
    ],
    {
      differences: [
        differs(
          'extended',
          'PROTOCOL.md §7 (log streams follow a process through its restarts; a process waiting for its restart shows running)',
          (records) => {
            expect(records[1]?.body).toEqual(['stdout:run', 'stderr:err', PENDING_NOTICE]);
            expect(bodyOf(records, 2)).toMatchObject({ status: 'failed', restartCount: 1 });
          },
          (records) => {
            expect(records[1]?.body).toEqual(['stdout:run', 'stderr:err', PENDING_NOTICE, 'stdout:run', 'stderr:err']);
            expect(bodyOf(records, 2)).toMatchObject({ status: 'failed', restartCount: 1, stderr: 'err\nerr\n' });
          },
        ),
      ],
    },
  ),
  scenario(
    'log stream of output that does not end with a newline',
    [
      post({ command: 'printf abc; printf def >&2', waitForCompletion: true }, { save: 'a' }),
      stream('/process/{a}/logs/stream'),
    ],
    {
      differences: [
        differs(
          'extended',
          'PROTOCOL.md §7 (every output line carries its own prefix; an unterminated last line too)',
          (records) => {
            expect(records[1]?.body).toEqual(['stdout:abcstderr:def']);
          },
          (records) => {
            expect(bodyOf(records, 0)).toMatchObject({ stdout: 'abc', stderr: 'def', logs: 'abcdef' });
            expect(records[1]?.body).toEqual(['stdout:abc', 'stderr:def']);
          },
        ),
      ],
    },
  ),
  scenario('log stream while the process is killed, live', [
    post({ command: 'echo up; sleep 0.5; kill -9 $$' }, { save: 'a', outputAtAnswerVaries: true }),
    stream('/process/{a}/logs/stream'),
  ]),
  scenario('/logs of a running process', [
    post(
      { command: 'echo early; echo warn >&2; sleep 30', name: 'logs-running' },
      { save: 'a', outputAtAnswerVaries: true },
    ),
    printed('a', 'early'),
    until('/process/{a}', (process: { stderr?: string }) => (process.stderr ?? '').includes('warn')),
    get('/process/{a}/logs'),
    request('DELETE', '/process/{a}/kill'),
  ]),
  scenario(
    'exec with Accept: text/event-stream and a bad body',
    [postStreaming({ command: 5 }), postStreaming({ command: 'pwd', workingDir: '{dir}/missing' })],
    {
      differences: [
        differs(
          'extended',
          'PROTOCOL.md §4 (a start failure is a 422 before the stream)',
          (records) => {
            expect(records[1]).toMatchObject({ status: 200, contentType: 'application/x-ndjson' });
          },
          (records) => {
            expect(records[1]).toMatchObject({ status: 422, contentType: 'application/json; charset=utf-8' });
          },
        ),
      ],
    },
  ),
  scenario(
    'many processes, then the list',
    [
      ...Array.from({ length: 12 }, (_, index) =>
        post({ command: `echo ${index}`, name: `many-${index}`, waitForCompletion: true }),
      ),
      get('/process'),
    ],
    { fresh: true },
  ),
  scenario(
    'the list while a process runs',
    [
      post({ command: 'sleep 0.3; echo listed; sleep 30', name: 'listed' }, { save: 'a' }),
      printed('a', 'listed'),
      get('/process'),
      request('DELETE', '/process/{a}/kill'),
      finished('a'),
      get('/process'),
    ],
    { fresh: true },
  ),
];
