/**
 * The longest delay `setTimeout` counts, in milliseconds (2^31 - 1, about 24.8 days): a longer one
 * (`Infinity` included) fires at once, so a bound past it means no timer at all.
 */
export const LONGEST_TIMER_MS = 2 ** 31 - 1;
