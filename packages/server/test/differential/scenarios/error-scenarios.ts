/** Unknown ids on every route, bad bodies, routes and methods that do not exist. */
import { expect } from 'vitest';
import {
  bodyOf,
  del,
  differs,
  get,
  post,
  request,
  scenario,
  stream,
  type ExchangeRecord,
  type Scenario,
} from '../scenario.js';

const statuses = (records: ExchangeRecord[]): number[] => records.map((record) => record.status);

const UNKNOWN_IDS = ['nope', '999999999'];

/** Bodies with a JSON syntax error, one for each place Go's scanner can report it. */
const MALFORMED_BODIES = [
  '{bad',
  '{"command" "true"}',
  '{"command":"true" "name":"x"}',
  '{"command":"true","env":[1 2]}',
  '{"command":"a\\qb"}',
  '{"command":"a\tb"}',
  '{"command":"\\u12g4"}',
  '{"command":"true","timeout":-x}',
  '{"command":"true","timeout":1.x}',
  '{"command":"true","timeout":1e}',
  '{"command":"true","timeout":01}',
  '{"command":"true","keepAlive":trux}',
  '{"command":"true",}',
  '[1,]',
  "{'command':'true'}",
  'x',
  '{é',
];

/** `POST /process` with `body` sent as is. */
const postRaw = (body: string) => post(undefined, { rawBody: body, headers: { 'Content-Type': 'application/json' } });

export const errorScenarios: Scenario[] = [
  ...UNKNOWN_IDS.map((id) =>
    scenario(`unknown id ${id} on every route`, [
      get(`/process/${id}`),
      get(`/process/${id}/logs`),
      del(`/process/${id}`),
      del(`/process/${id}/kill`),
    ]),
  ),
  scenario('malformed JSON', MALFORMED_BODIES.map(postRaw), {
    differences: [
      differs(
        'extended',
        "PROTOCOL.md §7 (malformed JSON: one message, not Go's)",
        (records) => {
          expect(bodyOf(records, 0).error).toBe(
            "invalid request body: invalid character 'b' looking for beginning of object key string",
          );
        },
        (records) => {
          for (const record of records) {
            expect(record).toMatchObject({ status: 400, body: { error: 'invalid request body: malformed JSON' } });
          }
        },
      ),
    ],
  }),
  scenario('JSON cut short', ['{"command":', '{', '"abc', 'tru', '-', '[1,', '{"command":"\\'].map(postRaw), {
    differences: [
      differs(
        'extended',
        "PROTOCOL.md §7 (malformed JSON: one message, not Go's)",
        (records) => expect(bodyOf(records, 0).error).toBe('invalid request body: unexpected EOF'),
        (records) => expect(bodyOf(records, 0).error).toBe('invalid request body: malformed JSON'),
      ),
    ],
  }),
  scenario(
    'what follows the first JSON value is ignored',
    [postRaw('{"command":"echo first","waitForCompletion":true} {'), postRaw('{}}'), postRaw('1x')],
    {
      differences: [
        differs(
          'extended',
          'PROTOCOL.md §7 (data after the JSON value is malformed JSON)',
          (records) => expect(records[0]).toMatchObject({ status: 200, body: { logs: 'first\n' } }),
          (records) => {
            for (const record of records) {
              expect(record).toMatchObject({ status: 400, body: { error: 'invalid request body: malformed JSON' } });
            }
          },
        ),
      ],
    },
  ),
  scenario('bad bodies', [
    post(undefined, { rawBody: '', headers: { 'Content-Type': 'application/json' } }),
    post({}),
    post([]),
    post({ command: '' }),
    post({ command: 5 }),
    post({ command: 'true', timeout: 'x' }),
    post({ command: 'true', name: 7 }),
    post({ command: 'true', waitForCompletion: 'yes' }),
    post({ command: 'true', env: ['A=1'] }),
  ]),
  scenario('unknown fields are ignored', [post({ command: 'echo ok', bogus: 1, waitForCompletion: true })]),
  scenario(
    'routes and methods that do not exist',
    [
      get('/nope'),
      request('PUT', '/process'),
      request('POST', '/process/nope/kill'),
      request('PATCH', '/process/nope'),
    ],
    {
      differences: [
        differs(
          'extended',
          'PROTOCOL.md §7 (every error is JSON; 405 for a known path)',
          (records) => {
            expect(statuses(records)).toEqual([404, 404, 404, 404]);
            expect(records[0]).toMatchObject({ contentType: 'text/plain', body: 'text:404 page not found' });
          },
          (records) => {
            expect(statuses(records)).toEqual([404, 405, 405, 405]);
            expect(records[1]?.contentType).toContain('application/json');
          },
        ),
      ],
    },
  ),
  scenario(
    'HEAD and OPTIONS',
    [
      request('HEAD', '/process'),
      request('HEAD', '/process/nope/logs'),
      request('HEAD', '/nope'),
      request('OPTIONS', '/process'),
      request('OPTIONS', '/nope'),
    ],
    {
      differences: [
        differs(
          'extended',
          'PROTOCOL.md §7 (HEAD is not served: 405)',
          (records) => {
            expect(statuses(records)).toEqual([200, 200, 404, 204, 204]);
          },
          (records) => {
            expect(statuses(records)).toEqual([405, 405, 404, 204, 204]);
          },
        ),
      ],
    },
  ),
  scenario('unknown id on the log stream', [stream('/process/nope/logs/stream')], {
    differences: [
      differs(
        'extended',
        'PROTOCOL.md §7 (404 JSON on /logs/stream)',
        (records) => {
          expect(records[0]).toMatchObject({ status: 200, contentType: 'text/plain; charset=utf-8' });
        },
        (records) => {
          expect(records[0]).toMatchObject({ status: 404, body: { error: 'process with Identifier nope not found' } });
        },
      ),
    ],
  }),
];
