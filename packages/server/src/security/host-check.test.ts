import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createHostCheck, isLoopbackHost } from './host-check.js';

describe('host check', () => {
  it('accepts loopback names with any port and refuses others', () => {
    const allowed = createHostCheck('127.0.0.1');
    for (const host of ['127.0.0.1', '127.0.0.1:9', 'localhost', 'LocalHost:80', '[::1]', '[::1]:8080'])
      expect(allowed(host)).toBe(true);
    for (const host of [undefined, '', 'evil.com', 'evil.com:8080', 'localhost.evil.com', '10.0.0.1'])
      expect(allowed(host)).toBe(false);
  });

  it('accepts the listen address and, on a wildcard, the machine name', () => {
    expect(createHostCheck('10.1.2.3')('10.1.2.3:8080')).toBe(true);
    expect(createHostCheck('0.0.0.0')(`${hostname()}:8080`)).toBe(true);
    expect(createHostCheck('0.0.0.0')('0.0.0.0:8080')).toBe(true);
  });

  it('knows loopback listen addresses', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
  });
});
