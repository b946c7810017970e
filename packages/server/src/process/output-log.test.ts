import { describe, expect, it } from 'vitest';
import { OutputLog } from './output-log.js';

function lines(log: OutputLog): string[] {
  return log.entriesFrom(log.firstRetainedSequence, 10_000).map((entry) => (entry.stream ? `${entry.stream}:${entry.text}` : entry.text));
}

describe('OutputLog', () => {
  it('splits lines across chunks and keeps read order across streams', () => {
    const log = new OutputLog({ memoryBytes: 1 << 20, chunkRecords: false });
    log.write('stdout', Buffer.from('he'));
    log.write('stderr', Buffer.from('oops\n'));
    log.write('stdout', Buffer.from('llo\nwor'));
    log.notice('[notice]');
    log.end();
    expect(lines(log)).toEqual(['stderr:oops', 'stdout:hello', '[notice]', 'stdout:wor']);
    expect(log.streamText('stdout')).toBe('hello\nwor\n');
    expect(log.combinedText()).toBe('oops\nhello\nwor\n');
    expect(log.ended).toBe(true);
  });

  it('decodes UTF-8 split across chunks', () => {
    const log = new OutputLog({ memoryBytes: 1 << 20, chunkRecords: false });
    const bytes = Buffer.from('héllo\n');
    log.write('stdout', bytes.subarray(0, 2));
    log.write('stdout', bytes.subarray(2));
    expect(lines(log)).toEqual(['stdout:héllo']);
  });

  it('keeps chunks as records in chunk mode', () => {
    const log = new OutputLog({ memoryBytes: 1 << 20, chunkRecords: true });
    log.write('stdout', Buffer.from('a\nb\n'));
    log.write('stdout', Buffer.from('c'));
    expect(lines(log)).toEqual(['stdout:a\nb\n', 'stdout:c']);
    expect(log.streamText('stdout')).toBe('a\nb\nc');
  });

  it('drops the oldest records past the budget and moves cursors forward', () => {
    const log = new OutputLog({ memoryBytes: 2000, chunkRecords: false });
    for (let index = 0; index < 100; index++) log.write('stdout', Buffer.from(`line ${index}\n`));
    expect(log.retainedBytes).toBeLessThanOrEqual(2000);
    const first = log.firstRetainedRecordIndex;
    expect(first).toBeGreaterThan(0);
    expect(log.cursorAfterRecords(3).offset).toBe(first);
    expect(log.cursorAfterRecords(98)).toEqual({ sequence: 98, offset: 98 });
    expect(log.cursorAfterRecords(150)).toEqual({ sequence: 100, offset: 150 });
    expect(log.streamText('stdout').endsWith('line 99\n')).toBe(true);
  });

  it('cuts a line longer than maxLineLength', () => {
    const log = new OutputLog({ memoryBytes: 1 << 20, chunkRecords: false, maxLineLength: 4 });
    log.write('stdout', Buffer.from('abcdefghij'));
    log.end();
    expect(lines(log)).toEqual(['stdout:abcd', 'stdout:efgh', 'stdout:ij']);
  });

  it('tails inline text to the last bytes in UTF-8, never splitting a character', () => {
    const log = new OutputLog({ memoryBytes: 1 << 20, chunkRecords: false });
    log.write('stdout', Buffer.from('0123456789\nabc\n'));
    expect(log.streamText('stdout', 5)).toBe('\nabc\n');
    const wide = new OutputLog({ memoryBytes: 1 << 20, chunkRecords: false });
    wide.write('stdout', Buffer.from('aéé\n€x\n'));
    expect(wide.streamText('stdout', 6)).toBe('\n€x\n');
    expect(wide.streamText('stdout', 7)).toBe('\n€x\n');
    expect(wide.streamText('stdout', 8)).toBe('é\n€x\n');
    expect(wide.combinedText(9)).toBe('é\n€x\n');
    expect(wide.combinedText(10)).toBe('éé\n€x\n');
  });

  it('stamps every entry with the time it was read or added, in ms since the epoch', () => {
    const log = new OutputLog({ memoryBytes: 1 << 20, chunkRecords: false });
    const before = Date.now();
    log.write('stdout', Buffer.from('one\n'));
    log.notice('[notice]');
    log.write('stderr', Buffer.from('two'));
    log.end();
    const after = Date.now();
    const entries = log.entriesFrom(0, 10);
    expect(entries).toHaveLength(3);
    for (const entry of entries) {
      expect(entry.time).toBeGreaterThanOrEqual(before);
      expect(entry.time).toBeLessThanOrEqual(after);
    }
  });
});
