/** `POST /process`: with and without waiting, names, folders, timeouts, ports, keepAlive. */
import { expect } from 'vitest';
import {
  bodyOf,
  del,
  differs,
  finished,
  finishedNamed,
  get,
  post,
  printed,
  scenario,
  type Scenario,
} from '../scenario.js';

/** Stands for the `{port}` placeholder where the body needs a number. */
const PORT = '{port}' as unknown as number;

const LISTEN = (port: string): string => `node -e "require('net').createServer().listen(${port}, '0.0.0.0')"`;

export const execScenarios: Scenario[] = [
  scenario('exec with wait: stdout and stderr', [
    post({ command: 'echo out; echo err >&2', waitForCompletion: true }, { save: 'a' }),
    get('/process/{a}'),
    get('/process/{a}/logs'),
  ]),
  scenario('exec with wait: a non-zero exit is a 200', [
    post({ command: 'echo bye; exit 42', waitForCompletion: true }),
  ]),
  scenario('exec without wait answers the running process, logs null', [
    post({ command: 'sleep 0.5; echo late', name: 'no-wait' }, { save: 'a' }),
    get('/process/no-wait'),
    finished('a'),
    get('/process/{a}'),
    get('/process/no-wait/logs'),
  ]),
  scenario('a given name, found by name and by pid', [
    post({ command: 'echo named', name: 'given-name', waitForCompletion: true }, { save: 'a' }),
    get('/process/given-name'),
    get('/process/{a}'),
  ]),
  scenario(
    'a name that is an integer is looked up as a pid',
    [post({ command: 'echo digits', name: '4242', waitForCompletion: true }), get('/process/4242')],
    {
      differences: [
        differs(
          'extended',
          'PROTOCOL.md §7 (a name that is an integer is refused)',
          (records) => {
            expect(records.map((record) => record.status)).toEqual([200, 404]);
          },
          (records) => {
            expect(records[0]).toMatchObject({
              status: 400,
              body: { error: 'name must not be an integer (integers are looked up as pids)' },
            });
          },
        ),
      ],
    },
  ),
  scenario('waitForCompletion of a process that restarts', [
    post({ command: 'sleep 0.2; echo run; exit 2', restartOnFailure: true, maxRestarts: 1, waitForCompletion: true }),
  ]),
  scenario('a second exec with the name of a running process is a 400', [
    post({ command: 'sleep 30', name: 'twice' }, { save: 'a' }),
    post({ command: 'true', name: 'twice' }),
    del('/process/{a}/kill'),
    finished('a'),
    post({ command: 'echo again', name: 'twice', waitForCompletion: true }),
  ]),
  scenario('workingDir runs the command there', [
    post({ command: 'pwd', workingDir: '{dir}', waitForCompletion: true }),
  ]),
  scenario('workingDir ~ is the home folder', [post({ command: 'pwd', workingDir: '~', waitForCompletion: true })]),
  scenario('a missing workingDir is a 422', [
    post({ command: 'pwd', workingDir: '{dir}/missing', waitForCompletion: true }),
  ]),
  scenario('env is merged over the server environment', [
    post({ command: 'echo "$GREETING $HOME"', env: { GREETING: 'hello' }, waitForCompletion: true }),
  ]),
  scenario('timeout with wait: 422, the process keeps running', [
    post({ command: 'sleep 30', name: 'slow', timeout: 1, waitForCompletion: true }),
    get('/process/slow'),
    del('/process/slow/kill'),
    finishedNamed('slow'),
    get('/process/slow'),
  ]),
  scenario('waitForPorts answers once the port accepts connections', [
    post({ command: `${LISTEN('{port}')} & sleep 30`, name: 'ports', waitForPorts: [PORT], timeout: 20 }),
    del('/process/ports/kill'),
    finishedNamed('ports'),
  ]),
  scenario('waitForPorts with a timeout the port never meets: 422', [
    post({ command: 'sleep 30', name: 'no-port', timeout: 1, waitForPorts: [1] }),
  ]),
  scenario('keepAlive with timeout: killed at the deadline', [
    post({ command: 'echo alive; sleep 30', keepAlive: true, timeout: 1 }, { save: 'a', outputAtAnswerVaries: true }),
    finished('a'),
    get('/process/{a}'),
  ]),
  scenario('unicode output', [
    post({ command: "printf 'h\\303\\251llo \\342\\234\\223 \\360\\237\\232\\200\\n'", waitForCompletion: true }),
  ]),
  scenario(
    'output that does not end with a newline is kept as written (POST, GET one, list, /logs)',
    [
      post({ command: 'printf abc; printf def >&2', waitForCompletion: true }, { save: 'a' }),
      get('/process/{a}'),
      get('/process'),
      get('/process/{a}/logs'),
      post({ command: 'echo one; printf two', waitForCompletion: true }, { save: 'b' }),
      get('/process/{b}'),
      get('/process/{b}/logs'),
    ],
    { fresh: true },
  ),
  scenario('lines longer than 64 KiB, the last one unterminated, are kept as written in /logs', [
    post(
      { command: "head -c 70000 /dev/zero | tr '\\0' a; echo; head -c 70000 /dev/zero | tr '\\0' b" },
      { save: 'a', outputAtAnswerVaries: true },
    ),
    finished('a'),
    get('/process/{a}/logs'),
  ]),
  scenario('binary output', [
    post({ command: "printf 'a\\377\\376b\\000c\\n'", waitForCompletion: true }, { save: 'a' }),
    get('/process/{a}/logs'),
  ]),
  scenario(
    'large output (about 600 kB) with wait, in GET and in /logs',
    [
      post({ command: 'seq 1 100000', waitForCompletion: true }, { save: 'a' }),
      get('/process/{a}'),
      get('/process/{a}/logs'),
    ],
    {
      differences: [
        differs(
          'extended',
          'PROTOCOL.md §7 (64 KiB inline everywhere, no truncation marker)',
          (records) => {
            expect(bodyOf(records, 0).stdout).toMatch(/^<588895 characters/);
            expect(bodyOf(records, 1).stdout).toMatch(/^<65602 characters, sha256 \w+, from "\[\.\.\. truncated/);
          },
          (records) => {
            expect(bodyOf(records, 0).stdout).toMatch(/^<65536 characters/);
            expect(bodyOf(records, 1).stdout).toMatch(/^<65536 characters/);
            expect(bodyOf(records, 2).stdout).toMatch(/^<588895 characters/);
          },
        ),
      ],
    },
  ),
  scenario('output written before and after a pause', [
    post({ command: 'echo first; sleep 0.3; echo second' }, { save: 'a', outputAtAnswerVaries: true }),
    printed('a', 'first'),
    finished('a'),
    get('/process/{a}'),
  ]),
];
