import { describe, expect, it } from 'vitest';
import {
  BadRequestError,
  ExecOutcomeUnknownError,
  HttpError,
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
    const notFound = new NotFoundError(404, '{"error":"gone"}', 'gone', 'p1');
    expect(notFound).toBeInstanceOf(HttpError);
    expect(notFound).toBeInstanceOf(SandprocError);
    expect(notFound).toBeInstanceOf(Error);
    expect(notFound.name).toBe('NotFoundError');
    expect(notFound.kind).toBe('not-found');
    expect(notFound.processId).toBe('p1');
    expect(notFound.body).toBe('{"error":"gone"}');
    expect(new BadRequestError(400, '', 'bad').kind).toBe('bad-request');
    expect(new UnprocessableError(422, '', 'x').kind).toBe('unprocessable');
    expect(new UnauthorizedError(403, '', 'x').kind).toBe('unauthorized');
    expect(new HttpError(500, 'boom', 'boom').kind).toBe('http');
    expect(new RequestTimeoutError(5).timeoutMs).toBe(5);
    expect(new WaitTimeoutError('p', null, 10).message).toMatch(/still running/);
    expect(new ExecOutcomeUnknownError('proc-x', 'm').processName).toBe('proc-x');
    expect(new StreamError('p', 'm').processId).toBe('p');
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
      [new BadRequestError(400, '', ''), isBadRequestError],
      [new UnprocessableError(422, '', ''), isUnprocessableError],
      [new UnauthorizedError(401, '', ''), isUnauthorizedError],
      [new NetworkError(''), isNetworkError],
      [new RequestTimeoutError(1), isRequestTimeoutError],
      [new StreamError('', ''), isStreamError],
      [new ExecOutcomeUnknownError('', ''), isExecOutcomeUnknownError],
      [new WaitTimeoutError('', null, 1), isWaitTimeoutError],
    ];
    for (const [error, guard] of cases) {
      expect(guard(error)).toBe(true);
      expect(cases.filter(([, other]) => other(error)).length).toBe(1);
    }
  });
});
