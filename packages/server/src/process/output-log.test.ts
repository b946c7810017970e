import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prefixedChunk, prefixedLines } from '../http/block-text.js';
import { mountSmallFilesystem, type SmallFilesystem } from '../testing/small-filesystem.js';
import { OutputLog, type OutputLogOptions } from './output-log.js';

const directory = mkdtempSync(join(tmpdir(), 'output-log-test-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let serial = 0;

function newLog(options: Partial<OutputLogOptions> = {}): OutputLog {
  return new OutputLog({
    pathPrefix: join(directory, `log-${++serial}`),
    maxBytes: 1 << 20,
    chunkRecords: false,
    ...options,
  });
}

function latin1ToText(bytes: Buffer): string {
  return bytes.toString('utf8');
}

/** Every retained record and notice, as the log stream shows them (notices bare, records prefixed). */
function lines(log: OutputLog, chunkRecords = false): string[] {
  const result: string[] = [];
  for (let block = log.firstRetainedBlock; block < log.nextBlock; ) {
    const blocks = log.readBlocks(block, 1 << 20);
    for (const read of blocks) {
      block = read.number + 1;
      if (read.stream === null) result.push(read.data.toString());
      else if (chunkRecords) result.push(latin1ToText(prefixedChunk(read)));
      else result.push(...latin1ToText(prefixedLines(read, 0)).slice(0, -1).split('\n'));
    }
    if (blocks.length === 0) break;
  }
  return result;
}

describe('OutputLog', () => {
  it('gives a live reader the blocks just appended from memory, and later readers what is on disk', async () => {
    const pathPrefix = join(directory, `log-${++serial}`);
    const log = newLog({ pathPrefix });
    const unsubscribe = log.subscribe(() => undefined);
    log.write('stdout', Buffer.from('one\ntwo\n'));
    log.write('stderr', Buffer.from('three\n'));
    // Spoil the data file behind the log's back: what is still in memory does not come from it.
    writeFileSync(`${pathPrefix}.0.data`, 'X'.repeat(14));
    expect(lines(log)).toEqual(['stdout:one', 'stdout:two', 'stderr:three']);
    expect(log.readBlocks(1, 1 << 20).map((block) => block.number)).toEqual([1]);
    // Once the readers had their turn, the blocks are read back from disk.
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines(log)).toEqual(['stdout:XXXXXXXX', 'stderr:XXXXXX']);
    unsubscribe();
    // Without a live reader nothing is kept in memory.
    log.write('stdout', Buffer.from('four\n'));
    writeFileSync(`${pathPrefix}.0.data`, 'X'.repeat(19));
    expect(lines(log).at(-1)).toBe('stdout:XXXXX');
    log.end();
  });

  it('splits lines across chunks and keeps read order across streams', () => {
    const log = newLog();
    log.write('stdout', Buffer.from('he'));
    log.write('stderr', Buffer.from('oops\n'));
    log.write('stdout', Buffer.from('llo\nwor'));
    log.notice('[notice]');
    log.end();
    expect(lines(log)).toEqual(['stderr:oops', 'stdout:hello', '[notice]', 'stdout:wor']);
    expect(log.streamText('stdout', 1 << 20)).toBe('hello\nwor');
    expect(log.combinedText(1 << 20)).toBe('oops\nhello\nwor');
    expect(log.ended).toBe(true);
    expect(log.nextRecordIndex).toBe(3);
  });

  it('counts every line of a chunk as a record without storing it separately', () => {
    const log = newLog();
    log.write('stdout', Buffer.from('a\nb\nc\n'));
    expect(log.nextBlock).toBe(1);
    expect(log.nextRecordIndex).toBe(3);
    expect(lines(log)).toEqual(['stdout:a', 'stdout:b', 'stdout:c']);
  });

  it('decodes UTF-8 split across chunks', () => {
    const log = newLog();
    const bytes = Buffer.from('héllo\n');
    log.write('stdout', bytes.subarray(0, 2));
    log.write('stdout', bytes.subarray(2));
    expect(lines(log)).toEqual(['stdout:héllo']);
  });

  it('keeps chunks as records in chunk mode, never splitting a character', () => {
    const log = newLog({ chunkRecords: true });
    log.write('stdout', Buffer.from('a\nb\n'));
    const euro = Buffer.from('€');
    log.write('stdout', Buffer.concat([Buffer.from('c'), euro.subarray(0, 1)]));
    log.write('stdout', euro.subarray(1));
    expect(lines(log, true)).toEqual(['stdout:a\nb\n', 'stdout:c', 'stdout:€']);
    expect(log.streamText('stdout', 1 << 20)).toBe('a\nb\nc€');
  });

  it('drops the oldest segments past the cap, removes their files and moves cursors forward', () => {
    const prefix = join(directory, 'capped');
    const log = new OutputLog({ pathPrefix: prefix, maxBytes: 16 * 1024, chunkRecords: false, segmentBytes: 2048 });
    for (let index = 0; index < 2000; index++) log.write('stdout', Buffer.from(`line ${index}\n`));
    expect(log.retainedBytes).toBeLessThanOrEqual(16 * 1024);
    const first = log.firstRetainedRecordIndex;
    expect(first).toBeGreaterThan(0);
    expect(log.cursorAfterRecords(3).offset).toBe(first);
    const middle = log.cursorAfterRecords(1998);
    expect(middle.offset).toBe(1998);
    expect(log.readBlocks(middle.block, 100)[0]?.firstRecord).toBe(1998);
    expect(log.cursorAfterRecords(2500)).toEqual({ block: 2000, offset: 2500 });
    expect(log.streamText('stdout', 1 << 20).endsWith('line 1999\n')).toBe(true);
    const files = readdirSync(directory).filter((name) => name.startsWith('capped.'));
    expect(files.length).toBeLessThanOrEqual(2 * 9);
    log.dispose();
    expect(readdirSync(directory).filter((name) => name.startsWith('capped.'))).toEqual([]);
  });

  it('finds a record in the middle of a large log by binary search, inside a block', () => {
    const log = newLog({ maxBytes: 1 << 26 });
    let chunk = '';
    for (let index = 0; index < 100_000; index++) {
      chunk += `${index}\n`;
      if (index % 1000 === 999) {
        log.write('stdout', Buffer.from(chunk));
        chunk = '';
      }
    }
    const cursor = log.cursorAfterRecords(54_321);
    const block = log.readBlocks(cursor.block, 100)[0];
    expect(block?.firstRecord).toBe(54_000);
    expect(prefixedLines(block!, 321).toString().split('\n')[0]).toBe('stdout:54321');
  });

  it('matches a line-by-line model for random output cut into random chunks (small segments, long lines, UTF-8)', () => {
    let seed = 42;
    const random = (limit: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % limit;
    };
    const alphabet = ['a', 'b', '7', ' ', 'é', '€', '😀'];
    for (let round = 0; round < 20; round++) {
      const maxLineBytes = 8 + random(40);
      const log = newLog({ maxLineBytes, segmentBytes: 64 + random(256), maxBytes: 1 << 24 });
      const expected: string[] = [];
      const pending = { stdout: '', stderr: '' };
      const written = { stdout: '', stderr: '' };
      for (let line = 0; line < 200; line++) {
        const stream = random(3) === 0 ? 'stderr' : 'stdout';
        let text = '';
        for (let length = random(70); length > 0; length--) text += alphabet[random(alphabet.length)];
        // The model: a line longer than maxLineBytes becomes pieces of at most maxLineBytes bytes, cut between characters.
        let rest = Buffer.from(text);
        while (rest.length > maxLineBytes) {
          let cut = maxLineBytes;
          while ((rest[cut]! & 0xc0) === 0x80) cut--;
          expected.push(`${stream}:${rest.subarray(0, cut).toString()}`);
          rest = rest.subarray(cut);
        }
        expected.push(`${stream}:${rest.toString()}`);
        pending[stream] += `${text}\n`;
        written[stream] += `${text}\n`;
        // Several whole lines of a stream go out together, in random pieces (possibly splitting
        // characters); a stream's pending lines go out before the other stream writes.
        const other = stream === 'stdout' ? 'stderr' : 'stdout';
        flush(other);
        if (random(4) === 0) flush(stream);
      }
      flush('stdout');
      flush('stderr');
      function flush(which: 'stdout' | 'stderr'): void {
        const bytes = Buffer.from(pending[which]);
        pending[which] = '';
        for (let start = 0; start < bytes.length; ) {
          const end = Math.min(bytes.length, start + 1 + random(300));
          log.write(which, bytes.subarray(start, end));
          start = end;
        }
      }
      log.end();
      expect(lines(log)).toEqual(expected);
      expect(log.nextRecordIndex).toBe(expected.length);
      // The text of each stream is exactly what was written: cutting long lines adds no newline.
      expect(log.streamText('stdout', 1 << 24)).toBe(written.stdout);
      expect(log.streamText('stderr', 1 << 24)).toBe(written.stderr);
      log.dispose();
    }
  });

  it('cuts a line longer than maxLineBytes', () => {
    const log = newLog({ maxLineBytes: 4 });
    log.write('stdout', Buffer.from('abcdefghij'));
    log.write('stdout', Buffer.from('\nxy\n123456\n'));
    log.end();
    expect(lines(log)).toEqual(['stdout:abcd', 'stdout:efgh', 'stdout:ij', 'stdout:xy', 'stdout:1234', 'stdout:56']);
    expect(log.streamText('stdout', 1 << 20)).toBe('abcdefghij\nxy\n123456\n');
    expect(log.nextRecordIndex).toBe(6);
  });

  it('tails inline text to the last bytes in UTF-8, never splitting a character', () => {
    const log = newLog();
    log.write('stdout', Buffer.from('0123456789\nabc\n'));
    expect(log.streamText('stdout', 5)).toBe('\nabc\n');
    const wide = newLog();
    wide.write('stdout', Buffer.from('aéé\n€x\n'));
    expect(wide.streamText('stdout', 6)).toBe('\n€x\n');
    expect(wide.streamText('stdout', 7)).toBe('\n€x\n');
    expect(wide.streamText('stdout', 8)).toBe('é\n€x\n');
    expect(wide.combinedText(9)).toBe('é\n€x\n');
    expect(wide.combinedText(10)).toBe('éé\n€x\n');
  });

  it('walks only its own stream for a stream tail', () => {
    const log = newLog();
    log.write('stdout', Buffer.from('out-1\n'));
    for (let index = 0; index < 500; index++) log.write('stderr', Buffer.from(`err-${index}\n`));
    log.write('stdout', Buffer.from('out-2\npartial'));
    expect(log.streamText('stdout', 1 << 20)).toBe('out-1\nout-2\npartial');
    expect(log.combinedText(16)).toBe('99\nout-2\npartial');
  });

  it('shows a notice in stdout (a restart notice) as \\n<notice>\\n in stdout tails and combined text, across segments', () => {
    const log = newLog({ segmentBytes: 512 });
    log.write('stdout', Buffer.from('run 1\n'));
    log.write('stderr', Buffer.from('oops\n'));
    log.notice('[Process is being gracefully terminated]');
    log.notice('[restart]', true);
    for (let index = 0; index < 100; index++) log.write('stderr', Buffer.from(`err-${index}\n`));
    log.write('stdout', Buffer.from('run 2\n'));
    expect(log.streamText('stdout', 1 << 20)).toBe('run 1\n\n[restart]\nrun 2\n');
    expect(log.streamText('stdout', 12)).toBe('[restart]\nrun 2\n'.slice(-12));
    expect(log.streamText('stderr', 1 << 20)).not.toContain('restart');
    expect(log.combinedText(1 << 20)).toMatch(/^run 1\noops\n\n\[restart\]\nerr-0\n/);
    const blocks = log.readBlocks(0, 1 << 20);
    expect(blocks.filter((block) => block.inStdout).map((block) => block.data.toString())).toEqual(['[restart]']);
    expect(lines(log)).toContain('[restart]');
  });

  it('stamps every block with the time it was read or added, in ms since the epoch', () => {
    const log = newLog();
    const before = Date.now();
    log.write('stdout', Buffer.from('one\n'));
    log.notice('[notice]');
    log.write('stderr', Buffer.from('two'));
    log.end();
    const after = Date.now();
    const blocks = log.readBlocks(0, 1 << 20);
    expect(blocks).toHaveLength(3);
    for (const block of blocks) {
      expect(block.time).toBeGreaterThanOrEqual(before);
      expect(block.time).toBeLessThanOrEqual(after);
    }
  });

  it('keeps a pinned snapshot readable after its segments are dropped', () => {
    const log = newLog({ maxBytes: 8192, segmentBytes: 1024 });
    for (let index = 0; index < 100; index++) log.write('stdout', Buffer.from(`${'x'.repeat(30)} ${index}\n`));
    const snapshot = log.snapshot();
    const first = snapshot.segments[0]!;
    for (let index = 0; index < 1000; index++) log.write('stdout', Buffer.from(`${'y'.repeat(30)} ${index}\n`));
    expect(first.dropped).toBe(true);
    expect(first.read(0, 4).toString()).toBe('xxxx');
    snapshot.release();
    expect(() => first.read(0, 4)).toThrow();
  });
});

const smallFilesystem = mountSmallFilesystem(1024 * 1024);
if (typeof smallFilesystem === 'string') console.warn(`a full disk is not tested: ${smallFilesystem}`);

describe.skipIf(typeof smallFilesystem === 'string')('OutputLog on a full disk', () => {
  const filesystem = smallFilesystem as SmallFilesystem;
  afterAll(() => filesystem.unmount());

  it('loses only what it could not write, says so where it happened, never glues lines, and recovers when space comes back', () => {
    const log = new OutputLog({ pathPrefix: join(filesystem.path, 'output'), maxBytes: 1 << 30, chunkRecords: false });
    // Each line comes in two reads, so that a lost read leaves a line's start pending.
    const writeLines = (from: number, to: number): void => {
      for (let number = from; number < to; number++) {
        log.write('stdout', Buffer.from('line '));
        log.write('stdout', Buffer.from(`${number}\n`));
      }
    };
    writeLines(0, 100);
    filesystem.fill();
    writeLines(100, 2000); // past several index batches (256 blocks each)
    filesystem.free();
    writeLines(2000, 2100);
    log.end();

    const shown = lines(log);
    let previous = -1;
    let noticeSincePrevious = false;
    for (const line of shown) {
      if (line.startsWith('[Output lost: ')) {
        expect(line).toContain('ENOSPC');
        expect(noticeSincePrevious).toBe(false); // one notice per gap
        noticeSincePrevious = true;
        continue;
      }
      const number = Number(/^stdout:line (\d+)$/.exec(line)?.[1] ?? Number.NaN);
      expect(number, `a line as written, not ${JSON.stringify(line)}`).toBeGreaterThan(previous);
      if (number !== previous + 1)
        expect(noticeSincePrevious, `lines ${previous + 1}–${number - 1} lost silently`).toBe(true);
      previous = number;
      noticeSincePrevious = false;
    }
    expect(shown.filter((line) => line.startsWith('[Output lost: ')).length).toBeGreaterThan(0);
    expect(shown.slice(-100)).toEqual(Array.from({ length: 100 }, (_, index) => `stdout:line ${2000 + index}`));
    expect(log.streamText('stdout', 1 << 20).endsWith('line 2099\n')).toBe(true);
  });

  it('drops the end of a line whose start was lost: the lines after the notice are whole', () => {
    const log = new OutputLog({ pathPrefix: join(filesystem.path, 'cut'), maxBytes: 1 << 30, chunkRecords: false });
    log.write('stdout', Buffer.from('first\n'));
    filesystem.fill();
    // Lines larger than a page (they cannot fit in what is left of the data file's last page), and
    // the start of a line.
    log.write('stdout', Buffer.from(`lost\n${'x'.repeat(8192)}\nstart of a line`));
    filesystem.free();
    log.write('stdout', Buffer.from(' whose end comes after the space\nwhole\n'));
    log.end();
    expect(lines(log)).toEqual(['stdout:first', expect.stringMatching(/^\[Output lost: .*ENOSPC/), 'stdout:whole']);
  });
});
