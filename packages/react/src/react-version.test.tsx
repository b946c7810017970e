// @vitest-environment jsdom
import { version } from 'react';
import { version as domVersion } from 'react-dom';
import { describe, expect, it } from 'vitest';

// vitest.config.ts runs the suite on React 19, vitest.react18.config.ts on React 18.
describe('the React under test', () => {
  it('is the major version this run is for', () => {
    const expected = process.env.EXPECTED_REACT_MAJOR;
    expect(expected).toBeDefined();
    expect(version.split('.')[0]).toBe(expected);
    expect(domVersion.split('.')[0]).toBe(expected);
  });
});
