export * from './types.js';
export * from './observers/index.js';
