export * from './types.js';
export * from './errors/index.js';
export * from './client/index.js';
export * from './streams/index.js';
export * from './observers/index.js';
export * from './constants.js';
