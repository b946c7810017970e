export { LogStream } from './log-stream.js';
export type { LogStreamOptions, LogStreamState, ReconnectOptions, LogStreamSource } from './log-stream-options.js';
export { LogLineParser } from './log-line-parser.js';
export type { ParsedLogLine } from './log-line-parser.js';
export { readLineBatches, readLines } from './read-lines.js';
