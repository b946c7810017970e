/** `/logs/stream`, the NDJSON exec stream, and the process list. */
import { expect } from 'vitest';
import { bodyOf, differs, finished, get, post, postStreaming, printed, request, scenario, stream, type Scenario } from '../scenario.js';

const FIVE_LINES = 'for i in 1 2 3 4 5; do echo "line $i"; sleep 0.1; done';

export const streamScenarios: Scenario[] = [
  scenario('log stream of a running process: every line once, ends at exit', [
    post({ command: `sleep 0.3; ${FIVE_LINES}` }, { save: 'a' }),
    stream('/process/{a}/logs/stream'),
  ]),
  scenario('log stream of a finished process: the backlog, then the end', [
    post({ command: 'echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three', waitForCompletion: true }, { save: 'a' }),
    stream('/process/{a}/logs/stream'),
  ], {
    differences: [differs('extended', 'PROTOCOL.md §7 (logs in the order written)', (records) => {
      expect(bodyOf(records, 0)['logs']).toBe('one\nthree\ntwo\n');
    }, (records) => {
      expect(bodyOf(records, 0)['logs']).toBe('one\ntwo\nthree\n');
      expect(records[1]?.body).toEqual(['stdout:one', 'stderr:two', 'stdout:three']);
    })],
  }),
  scenario('log stream while the process is stopped', [
    post({ command: 'echo up; sleep 30' }, { save: 'a' }),
    printed('a', 'up'),
    request('DELETE', '/process/{a}'),
    stream('/process/{a}/logs/stream'),
  ], {
    differences: [differs('extended', 'PROTOCOL.md §7 (the backlog replays notices)', (records) => {
      expect(records[2]?.body).toEqual(['stdout:up']);
    }, (records) => {
      expect(records[2]?.body).toEqual(['stdout:up', '[Process is being gracefully terminated]']);
    })],
  }),
  scenario('exec with Accept: text/event-stream', [
    postStreaming({ command: 'sleep 0.2; echo x; sleep 0.2; echo y >&2; sleep 0.2; exit 3' }),
  ]),
  scenario('exec with Accept: text/event-stream and a bad body', [
    postStreaming({ command: 5 }),
    postStreaming({ command: 'pwd', workingDir: '{dir}/missing' }),
  ], {
    differences: [differs('extended', 'PROTOCOL.md §4 (a start failure is a 422 before the stream)', (records) => {
      expect(records[1]).toMatchObject({ status: 200, contentType: 'application/x-ndjson' });
    }, (records) => {
      expect(records[1]).toMatchObject({ status: 422, contentType: 'application/json; charset=utf-8' });
    })],
  }),
  scenario('many processes, then the list', [
    ...Array.from({ length: 12 }, (_, index) => post({ command: `echo ${index}`, name: `many-${index}`, waitForCompletion: true })),
    get('/process'),
  ], { fresh: true }),
  scenario('the list while a process runs', [
    post({ command: 'sleep 0.3; echo listed; sleep 30', name: 'listed' }, { save: 'a' }),
    printed('a', 'listed'),
    get('/process'),
    request('DELETE', '/process/{a}/kill'),
    finished('a'),
    get('/process'),
  ], { fresh: true }),
];
