/** Unknown ids on every route, bad bodies, routes and methods that do not exist. */
import { expect } from 'vitest';
import {
  bodyOf,
  del,
  differs,
  differsInBoth,
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

export const errorScenarios: Scenario[] = [
  ...UNKNOWN_IDS.map((id) =>
    scenario(`unknown id ${id} on every route`, [
      get(`/process/${id}`),
      get(`/process/${id}/logs`),
      del(`/process/${id}`),
      del(`/process/${id}/kill`),
    ]),
  ),
  scenario('malformed JSON', [post(undefined, { rawBody: '{bad', headers: { 'Content-Type': 'application/json' } })], {
    differences: differsInBoth(
      "PROTOCOL.md §7 (the message of Go's JSON decoder is not reproduced)",
      (records) => {
        expect(bodyOf(records, 0)['error']).toBe(
          "invalid request body: invalid character 'b' looking for beginning of object key string",
        );
      },
      (records) => {
        expect(records[0]).toMatchObject({ status: 400, body: { error: 'invalid request body: malformed JSON' } });
      },
    ),
  }),
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
