import { describe, expect, it } from 'vitest';
import { Router } from './router.js';

describe('Router', () => {
  const handler = (): void => undefined;
  const router = new Router()
    .add('GET', '/process', handler)
    .add('GET', '/process/:id', handler)
    .add('DELETE', '/process/:id', handler);

  it('matches and decodes parameters', () => {
    expect(router.match('GET', '/process/my%20name')).toEqual({ kind: 'handler', handler, params: { id: 'my name' } });
    expect(router.match('GET', '/process/')).toMatchObject({ kind: 'handler', params: {} });
  });

  it('distinguishes 404, 405 and bad encodings', () => {
    expect(router.match('GET', '/nope')).toEqual({ kind: 'not-found' });
    expect(router.match('POST', '/process/1')).toEqual({ kind: 'method-not-allowed', allowed: ['GET', 'DELETE'] });
    expect(router.match('GET', '/process/%E0%A4%A')).toEqual({ kind: 'bad-path' });
  });
});
