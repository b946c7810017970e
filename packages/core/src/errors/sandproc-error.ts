/**
 * The base of every error thrown by `@sandproc/core`, and the guard that recognizes it even when
 * two copies of the package are installed (the brand is a global symbol, not a class identity).
 */

const brand = Symbol.for('sandproc.error');

/** What went wrong, one value per error class. Compare `error.kind` or use the `is…Error` guards. */
export type SandprocErrorKind =
  | 'http'
  | 'not-found'
  | 'bad-request'
  | 'unprocessable'
  | 'unauthorized'
  | 'network'
  | 'request-timeout'
  | 'wait-timeout'
  | 'stream'
  | 'exec-outcome-unknown'
  | 'invalid-argument';

/**
 * What every error class is built from: one named-options object. Each class adds its own fields,
 * which become the error's fields of the same names.
 */
export interface SandprocErrorOptions {
  /** What happened, for people. */
  message: string;
  /** What caused it (another error), if anything. */
  cause?: unknown;
}

/**
 * Base class of all errors of this package. Never thrown directly: a subclass says what happened.
 * An aborted call does not throw a `SandprocError` but the signal's reason (an `AbortError`
 * `DOMException` by default), as `fetch` does.
 */
export class SandprocError extends Error {
  /** Which subclass this is; stable across versions and duplicate installs. */
  declare readonly kind: SandprocErrorKind;

  constructor(kind: SandprocErrorKind, options: SandprocErrorOptions) {
    // `Error` reads only `cause` of the options (and sets it only when the key is there).
    super(options.message, options);
    Object.assign(this, options);
    this.kind = kind;
    this.name = new.target.name;
    Object.defineProperty(this, brand, { value: true });
  }
}

/** True for any error thrown by `@sandproc/core`, from any installed copy of the package. */
export function isSandprocError(error: unknown): error is SandprocError {
  return typeof error === 'object' && error !== null && (error as { [brand]?: unknown })[brand] === true;
}

/** @internal builds a guard that checks the brand and the kind. */
export function guardFor<T extends SandprocError>(...kinds: SandprocErrorKind[]) {
  return (error: unknown): error is T => isSandprocError(error) && kinds.includes(error.kind);
}
