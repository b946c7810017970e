import { describe, expect, it } from 'vitest';
import { LogLineParser, type ParsedLogLine } from './log-line-parser.js';

const parseAll = (parser: LogLineParser, lines: string[]): ParsedLogLine[] =>
  lines.flatMap((line) => parser.parse(line));

describe('LogLineParser, extended server (every line prefixed)', () => {
  it('reads prefixed records, notices and drops keepalives', () => {
    const parser = new LogLineParser(true);
    expect(
      parseAll(parser, [
        'stdout:a',
        'stderr:b: c',
        '[keepalive]',
        '[Process is being gracefully terminated]',
        'stdout:',
        'stdout:stdout:x',
      ]),
    ).toEqual([
      { type: 'record', stream: 'stdout', text: 'a' },
      { type: 'record', stream: 'stderr', text: 'b: c' },
      { type: 'notice', text: '[Process is being gracefully terminated]' },
      { type: 'record', stream: 'stdout', text: '' },
      { type: 'record', stream: 'stdout', text: 'stdout:x' },
    ]);
  });

  it('keeps a record that looks like a notice a record', () => {
    expect(new LogLineParser(true).parse('stdout:[Process is being forcefully killed]')).toEqual([
      { type: 'record', stream: 'stdout', text: '[Process is being forcefully killed]' },
    ]);
  });
});

describe('LogLineParser, strict server (per-chunk prefixes)', () => {
  it('the empty line before a notice is part of the notice (`\\n<notice>\\n`, live and replayed)', () => {
    const parser = new LogLineParser();
    const lines = [
      'stdout:first',
      '',
      '[Process is being gracefully terminated]',
      'stdout:',
      'stdout:[Process failed with exit code 1. Attempting restart 1/2...]',
      'stdout:next',
    ];
    expect(parseAll(parser, lines)).toEqual([
      { type: 'record', stream: 'stdout', text: 'first' },
      { type: 'notice', text: '[Process is being gracefully terminated]' },
      { type: 'notice', text: '[Process failed with exit code 1. Attempting restart 1/2...]' },
      { type: 'record', stream: 'stdout', text: 'next' },
    ]);
    expect(parser.end()).toEqual([]);
  });

  it('an empty output line is still output: before other output, and at the end', () => {
    const parser = new LogLineParser();
    expect(parseAll(parser, ['stdout:a', '', '', 'stdout:b', ''])).toEqual([
      { type: 'record', stream: 'stdout', text: 'a' },
      { type: 'record', stream: 'stdout', text: '' },
      { type: 'record', stream: 'stdout', text: '' },
      { type: 'record', stream: 'stdout', text: 'b' },
    ]);
    expect(parser.end()).toEqual([{ type: 'record', stream: 'stdout', text: '' }]);
  });

  it('an unprefixed line continues the last stream', () => {
    const parser = new LogLineParser();
    expect([...parseAll(parser, ['stdout:a', 'b', 'stderr:c', 'd', '']), ...parser.end()]).toEqual([
      { type: 'record', stream: 'stdout', text: 'a' },
      { type: 'record', stream: 'stdout', text: 'b' },
      { type: 'record', stream: 'stderr', text: 'c' },
      { type: 'record', stream: 'stderr', text: 'd' },
      { type: 'record', stream: 'stderr', text: '' },
    ]);
  });

  it('reassembles a line split across chunks (glued prefix)', () => {
    const parser = new LogLineParser();
    expect(parseAll(parser, ['stdout:12stdout:34', 'stdout:5'])).toEqual([
      { type: 'record', stream: 'stdout', text: '1234' },
      { type: 'record', stream: 'stdout', text: '5' },
    ]);
  });

  it('keeps a partial line of one stream while the other stream writes', () => {
    const parser = new LogLineParser();
    // stdout chunk "ab" (no newline), stderr chunk "err\n", stdout chunk "cd\n"
    expect(parseAll(parser, ['stdout:abstderr:err', 'stdout:cd'])).toEqual([
      { type: 'record', stream: 'stderr', text: 'err' },
      { type: 'record', stream: 'stdout', text: 'abcd' },
    ]);
  });

  it('a keepalive or notice glued to a partial line does not end it', () => {
    const parser = new LogLineParser();
    expect(
      parseAll(parser, ['stdout:ab[keepalive]', 'stdout:cd', 'stdout:x[Process is being gracefully terminated]', 'y']),
    ).toEqual([
      { type: 'record', stream: 'stdout', text: 'abcd' },
      { type: 'notice', text: '[Process is being gracefully terminated]' },
      { type: 'record', stream: 'stdout', text: 'xy' },
    ]);
  });

  it('bare notices are notices; other text before any prefix (an error body) is dropped', () => {
    const parser = new LogLineParser();
    expect(parseAll(parser, ['{"error":"not found"}', '[keepalive]'])).toEqual([]);
    expect(
      parseAll(parser, ['stdout:a', '[Process failed with exit code 1. Attempting restart 1/2...]', 'stdout:b']),
    ).toEqual([
      { type: 'record', stream: 'stdout', text: 'a' },
      { type: 'notice', text: '[Process failed with exit code 1. Attempting restart 1/2...]' },
      { type: 'record', stream: 'stdout', text: 'b' },
    ]);
  });

  it('counts the same records whatever the chunking (replays are consistent)', () => {
    const lines = Array.from({ length: 50 }, (_, index) => `line ${index}`);
    const oneChunk = ['stdout:' + lines[0], ...lines.slice(1)];
    const perLine = lines.map((line) => `stdout:${line}`);
    const records = (input: string[]) =>
      parseAll(new LogLineParser(), input).map((parsed) => ('stream' in parsed ? parsed.text : ''));
    expect(records(oneChunk)).toEqual(lines);
    expect(records(perLine)).toEqual(lines);
  });

  it('only the exact notice texts are notices: output that merely looks like one stays output', () => {
    const parser = new LogLineParser();
    expect(
      parseAll(parser, [
        'stdout:compiling [Output]',
        '[Process 7 ready]',
        'x [keepalive]',
        'stdout:ab[Process is being forcefully killed]',
        'cd',
      ]),
    ).toEqual([
      { type: 'record', stream: 'stdout', text: 'compiling [Output]' },
      { type: 'record', stream: 'stdout', text: '[Process 7 ready]' },
      { type: 'notice', text: '[Process is being forcefully killed]' },
      { type: 'record', stream: 'stdout', text: 'x abcd' },
    ]);
  });
});
