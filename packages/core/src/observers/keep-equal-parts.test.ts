import { describe, expect, it } from 'vitest';
import { keepEqualParts } from './keep-equal-parts.js';

describe('keepEqualParts', () => {
  it('an equal answer is the previous object itself', () => {
    const previous = { pid: '1', status: 'running', exitCode: null, tags: ['a'] };
    expect(keepEqualParts(previous, structuredClone(previous))).toBe(previous);
    const list = [previous, { pid: '2', status: 'completed', exitCode: 0 }];
    expect(keepEqualParts(list, structuredClone(list))).toBe(list);
  });

  it('a changed list is new, and keeps its unchanged items', () => {
    const first = { pid: '1', status: 'running' };
    const second = { pid: '2', status: 'running' };
    const next = keepEqualParts(
      [first, second],
      [{ pid: '1', status: 'running' }, { pid: '2', status: 'completed' }, { pid: '3' }],
    );
    expect(next).toEqual([first, { pid: '2', status: 'completed' }, { pid: '3' }]);
    expect(next[0]).toBe(first);
    expect(next[1]).not.toBe(second);
    expect(keepEqualParts([first, second], [first])).toEqual([first]);
  });

  it('a field added, removed or renamed is a change, even to undefined', () => {
    const previous = { a: 1 };
    expect(keepEqualParts(previous, { a: 1, b: undefined })).not.toBe(previous);
    expect(keepEqualParts(previous, { b: undefined })).toEqual({ b: undefined });
    expect(keepEqualParts({ a: 1, b: 2 }, { a: 1 })).toEqual({ a: 1 });
  });

  it('dates are compared by their time', () => {
    const previous = { startedAt: new Date(1000), completedAt: new Date(2000) };
    expect(keepEqualParts(previous, { startedAt: new Date(1000), completedAt: new Date(2000) })).toBe(previous);
    const later = new Date(3000);
    const next = keepEqualParts(previous, { startedAt: new Date(1000), completedAt: later });
    expect(next.startedAt).toBe(previous.startedAt);
    expect(next.completedAt).toBe(later);
  });

  it('anything but plain objects, arrays and dates is compared by identity', () => {
    class Box {
      constructor(readonly value: number) {}
    }
    const box = new Box(1);
    expect(keepEqualParts(new Box(1), box)).toBe(box);
    expect(keepEqualParts([1], { 0: 1 })).toEqual({ 0: 1 });
    expect(keepEqualParts(Number.NaN, Number.NaN)).toBeNaN();
    expect(keepEqualParts(undefined, { a: 1 })).toEqual({ a: 1 });
  });
});
