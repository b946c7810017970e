/**
 * A call refused by the client itself, before any request: no server said anything.
 */
import { SandprocError, guardFor, type SandprocErrorOptions } from './sandproc-error.js';

/** What an {@link InvalidArgumentError} is built from. */
export interface InvalidArgumentErrorOptions extends SandprocErrorOptions {
  /** The name of the argument that was refused, e.g. `'id'`. */
  argument: string;
  /** The value that was refused. */
  value: unknown;
}

/**
 * Thrown before any request when an argument cannot be sent as it is, e.g. a process id that URL
 * resolution would rewrite (`''`, `.`, `..`) or that cannot be encoded (a lone surrogate), or an
 * `exec` `timeout` that is not a whole number of seconds from 0 to 2147483. Not an
 * {@link HttpError}: it has no status, since no server answered. (Wrong `createClient` options are
 * a `TypeError`, thrown when the client is created.)
 */
export class InvalidArgumentError extends SandprocError {
  /** The name of the argument that was refused, e.g. `'id'`. */
  declare readonly argument: string;
  /** The value that was refused. */
  declare readonly value: unknown;

  constructor(options: InvalidArgumentErrorOptions) {
    super('invalid-argument', options);
  }
}

/** True for {@link InvalidArgumentError}. */
export const isInvalidArgumentError = /* @__PURE__ */ guardFor<InvalidArgumentError>('invalid-argument');

/**
 * Refuses `value` as `argument` with an {@link InvalidArgumentError} saying what it must be:
 * `<argument> must be <expected>, got <value>` (a number as written, anything else as JSON).
 */
export function refuseArgument(argument: string, expected: string, value: unknown): never {
  throw new InvalidArgumentError({
    message: `${argument} must be ${expected}, got ${typeof value === 'number' ? value : JSON.stringify(value)}`,
    argument,
    value,
  });
}
