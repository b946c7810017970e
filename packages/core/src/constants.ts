/** Defaults shared by the observers and the bindings built on them (one place to change each). */

/** Milliseconds between the end of one poll and the start of the next. */
export const defaultPollIntervalMs = 1000;

/** Upper bound of the poll backoff after errors, in milliseconds. */
export const defaultMaxBackoffMs = 30_000;

/** How long an observer nobody watches stays in an `ObserverCache`, in milliseconds. */
export const defaultGcTimeMs = 5000;

/** Log lines a logs observer keeps. */
export const defaultMaxLines = 10_000;
