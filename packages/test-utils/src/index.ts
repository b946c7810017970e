export { countingFetch, type CountingFetch } from './counting-fetch.js';
export { createGate, removeGates, type Gate } from './gate.js';
export { pushChange } from './push-change.js';
export { until, type UntilOptions } from './until.js';
export { CHROMIUM_ARGS } from './chromium-args.js';
export { withoutEntityTags } from './without-entity-tags.js';
export { exactOptionalErrors } from './exact-optional-errors.js';
