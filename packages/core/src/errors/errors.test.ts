import { describe, expect, it } from 'vitest';
import {
  BadRequestError,
  ExecOutcomeUnknownError,
  HttpError,
  InvalidArgumentError,
  NetworkError,
  NotFoundError,
  RequestTimeoutError,
  SandprocError,
  StreamError,
  UnauthorizedError,
  UnprocessableError,
  WaitTimeoutError,
  isBadRequestError,
  isExecOutcomeUnknownError,
  isHttpError,
  isInvalidArgumentError,
  isRetryable,
  isNetworkError,
  isNotFoundError,
  isRequestTimeoutError,
  isSandprocError,
  isStreamError,
  isUnauthorizedError,
  isUnprocessableError,
  isWaitTimeoutError,
} from '../index.js';
import { httpErrorClass } from './http-errors.js';

describe('errors', () => {
  it('one base class, kinds and names per subclass, readonly fields', () => {
    const notFound = new NotFoundError({ status: 404, body: '{"error":"gone"}', message: 'gone', processId: 'p1' });
    expect(notFound).toBeInstanceOf(HttpError);
    expect(notFound).toBeInstanceOf(SandprocError);
    expect(notFound).toBeInstanceOf(Error);
    expect(notFound.name).toBe('NotFoundError');
    expect(notFound.kind).toBe('not-found');
    expect(notFound.processId).toBe('p1');
    expect(notFound.body).toBe('{"error":"gone"}');
    expect(new BadRequestError({ status: 400, body: '', message: 'bad' }).kind).toBe('bad-request');
    expect(new UnprocessableError({ status: 422, body: '', message: 'x' }).kind).toBe('unprocessable');
    expect(new UnauthorizedError({ status: 403, body: '', message: 'x' }).kind).toBe('unauthorized');
    expect(new HttpError({ status: 500, body: 'boom', message: 'boom' }).kind).toBe('http');
    expect(new RequestTimeoutError({ timeoutMs: 5 }).timeoutMs).toBe(5);
    expect(new WaitTimeoutError({ processId: 'p', process: null, maxWaitMs: 10 }).message).toMatch(/still running/);
    expect(new ExecOutcomeUnknownError({ processName: 'proc-x', message: 'm' }).processName).toBe('proc-x');
    expect(new StreamError({ processId: 'p', message: 'm' }).processId).toBe('p');
  });

  it('maps statuses to classes', () => {
    expect(httpErrorClass(404)).toBe(NotFoundError);
    expect(httpErrorClass(400)).toBe(BadRequestError);
    expect(httpErrorClass(401)).toBe(UnauthorizedError);
    expect(httpErrorClass(403)).toBe(UnauthorizedError);
    expect(httpErrorClass(422)).toBe(UnprocessableError);
    expect(httpErrorClass(409)).toBe(HttpError);
  });

  it('guards recognize errors from another copy of the package (global symbol brand)', () => {
    const brand = Symbol.for('sandproc.error');
    const foreign = Object.assign(new Error('x'), { [brand]: true, kind: 'not-found', processId: 'p', status: 404 });
    expect(isSandprocError(foreign)).toBe(true);
    expect(isNotFoundError(foreign)).toBe(true);
    expect(isHttpError(foreign)).toBe(true);
    expect(isNetworkError(foreign)).toBe(false);
    expect(isSandprocError(new Error('plain'))).toBe(false);
    expect(isSandprocError(null)).toBe(false);
    expect(isSandprocError({ kind: 'not-found' })).toBe(false);
  });

  it('each guard matches its own class only', () => {
    const cases: [unknown, (error: unknown) => boolean][] = [
      [new BadRequestError({ status: 400, body: '', message: '' }), isBadRequestError],
      [new UnprocessableError({ status: 422, body: '', message: '' }), isUnprocessableError],
      [new UnauthorizedError({ status: 401, body: '', message: '' }), isUnauthorizedError],
      [new NetworkError({ message: '' }), isNetworkError],
      [new RequestTimeoutError({ timeoutMs: 1 }), isRequestTimeoutError],
      [new StreamError({ processId: '', message: '' }), isStreamError],
      [new ExecOutcomeUnknownError({ processName: '', message: '' }), isExecOutcomeUnknownError],
      [new WaitTimeoutError({ processId: '', process: null, maxWaitMs: 1 }), isWaitTimeoutError],
      [new InvalidArgumentError({ message: '', argument: 'id', value: '' }), isInvalidArgumentError],
    ];
    for (const [error, guard] of cases) {
      expect(guard(error)).toBe(true);
      expect(cases.filter(([, other]) => other(error)).length).toBe(1);
    }
  });

  it('the status map gives each class its kind and default status', () => {
    for (const status of [400, 401, 403, 404, 422, 409, 500]) {
      const error = new (httpErrorClass(status))({ status, body: '{"error":"x"}', message: 'x' });
      expect(error).toMatchObject({ status, body: '{"error":"x"}', message: 'x', processId: '' });
    }
    expect(new NotFoundError({ status: 404, message: 'gone' })).toMatchObject({
      kind: 'not-found',
      body: '',
      processId: '',
    });
    expect(new UnauthorizedError({ status: 403, message: 'no' }).kind).toBe('unauthorized');
    expect(new HttpError({ status: 404, message: 'x' }).kind).toBe('http');
    expect(new HttpError({ status: 503, message: 'x', retryAfterMs: 2000 }).retryAfterMs).toBe(2000);
    expect(new WaitTimeoutError({ processId: 'p', maxWaitMs: 1 }).process).toBeNull();
    const cause = new Error('reset');
    expect(new NetworkError({ message: 'm', cause }).cause).toBe(cause);
    expect('cause' in new NetworkError({ message: 'm' })).toBe(false);
  });

  it('a client-side refusal is no HTTP error: no status, its own kind', () => {
    const refused = new InvalidArgumentError({ message: "invalid process id '..'", argument: 'id', value: '..' });
    expect(refused).toBeInstanceOf(SandprocError);
    expect(refused).not.toBeInstanceOf(HttpError);
    expect(isHttpError(refused)).toBe(false);
    expect(refused.kind).toBe('invalid-argument');
    expect(refused).toMatchObject({ argument: 'id', value: '..' });
    expect('status' in refused).toBe(false);
  });

  it('isRetryable: one decision for every retry path', () => {
    const retryable = [
      new NetworkError({ message: 'reset' }),
      new RequestTimeoutError({ timeoutMs: 1 }),
      new TypeError('terminated'), // a body cut while read: from outside this package
      ...[408, 429, 500, 502, 503, 504].map((status) => new (httpErrorClass(status))({ status, message: '' })),
    ];
    const final = [
      ...[400, 401, 403, 404, 409, 413, 422, 501].map(
        (status) => new (httpErrorClass(status))({ status, message: '' }),
      ),
      new InvalidArgumentError({ message: '', argument: 'id', value: '' }),
      new WaitTimeoutError({ processId: 'p', maxWaitMs: 1 }),
      new StreamError({ processId: 'p', message: 'lost' }),
      new ExecOutcomeUnknownError({ processName: 'p', message: 'm' }),
    ];
    expect(retryable.filter((error) => !isRetryable(error))).toEqual([]);
    expect(final.filter((error) => isRetryable(error))).toEqual([]);
  });
});
