import type { ProcessRequest } from '../process/process-status.js';

/** Outcome of validating a `POST /process` body: the request, or a 400 message. */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; error: string };

const MAX_NAME_LENGTH = 256;
/**
 * Largest `timeout`, in seconds (about 24.8 days): Node timers hold at most 2^31 - 1 ms and fire
 * after 1 ms beyond that, so a larger value is refused (400) rather than silently shortened.
 */
export const MAX_TIMEOUT_SECONDS = 2_147_483;

type Fields = Record<string, unknown>;

/** Options of {@link validateProcessRequest}. */
export interface ValidationOptions {
  /**
   * Accept a name that is an integer (strict mode, as the real server does: such a process is then
   * only found by its pid). Default `false`: refused, since `{id}` would never find it by name.
   */
  allowIntegerNames?: boolean;
}

/** Every 400 about the body starts so, as on the real server. */
const PREFIX = 'invalid request body: ';
/** The Go type of each field on the real server, which its type errors name. */
const GO_TYPES: Record<string, string> = {
  command: 'string',
  name: 'string',
  workingDir: 'string',
  env: 'map[string]string',
  waitForCompletion: 'bool',
  timeout: 'int',
  waitForPorts: '[]int',
  restartOnFailure: 'bool',
  maxRestarts: 'int',
  keepAlive: 'bool',
};

/**
 * Validates every field's type. Unknown fields are ignored. `null` counts as absent. Messages are
 * worded as the real server (Go's JSON decoder, then gin's validator) words them; the checks it
 * does not make (NUL characters, integer names, ranges) have messages of their own.
 */
export function validateProcessRequest(
  body: unknown,
  options: ValidationOptions = {},
): ValidationResult<ProcessRequest> {
  if (body === undefined) return { ok: false, error: `${PREFIX}EOF` };
  if (typeof body !== 'object' || Array.isArray(body)) {
    return {
      ok: false,
      error: `${PREFIX}json: cannot unmarshal ${jsonKind(body)} into Go value of type handler.ProcessRequest`,
    };
  }
  const fields = (body ?? {}) as Fields;
  const typeError = firstTypeError(fields);
  if (typeError !== undefined) return { ok: false, error: PREFIX + typeError };
  const command = fields.command;
  if (typeof command !== 'string' || command.length === 0) {
    return {
      ok: false,
      error: `${PREFIX}Key: 'ProcessRequest.Command' Error:Field validation for 'Command' failed on the 'required' tag`,
    };
  }
  if (command.trim().length === 0) return { ok: false, error: 'command must not be blank' };
  if (command.includes('\0')) return { ok: false, error: 'command must not contain NUL characters' };
  const request: ProcessRequest = { command };
  const problems = [
    readName(fields, request, options.allowIntegerNames ?? false),
    readString(fields, 'workingDir', (value) => {
      request.workingDir = value;
    }),
    readEnvironment(fields, request),
    readBoolean(fields, 'waitForCompletion', (value) => {
      request.waitForCompletion = value;
    }),
    readBoolean(fields, 'restartOnFailure', (value) => {
      request.restartOnFailure = value;
    }),
    readBoolean(fields, 'keepAlive', (value) => {
      request.keepAlive = value;
    }),
    readBoolean(fields, 'stdin', (value) => {
      request.stdin = value;
    }),
    readInteger(fields, 'timeout', 0, MAX_TIMEOUT_SECONDS, (value) => {
      request.timeout = value;
    }),
    readInteger(fields, 'maxRestarts', -1_000_000, 1_000_000, (value) => {
      request.maxRestarts = value;
    }),
    readPorts(fields, request),
  ];
  const problem = problems.find((message) => message !== undefined);
  return problem === undefined ? { ok: true, value: request } : { ok: false, error: problem };
}

/** Go's JSON name for the kind of a value. */
function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'number' ? 'number' : typeof value === 'string' ? 'string' : 'object';
}

/** Go's `cannot unmarshal` error for the first field (in the body's order) whose JSON type does not fit. */
function firstTypeError(fields: Fields): string | undefined {
  for (const [key, value] of Object.entries(fields)) {
    const goType = GO_TYPES[key];
    if (goType === undefined || value === null) continue;
    const problem = typeProblem(goType, value);
    if (problem !== undefined)
      return `json: cannot unmarshal ${problem.kind} into Go struct field ProcessRequest.${key} of type ${problem.goType}`;
  }
  return undefined;
}

function typeProblem(goType: string, value: unknown): { kind: string; goType: string } | undefined {
  const kind = jsonKind(value);
  if (goType === 'string' || goType === 'bool') return kind === goType ? undefined : { kind, goType };
  if (goType === 'int')
    return isGoInt(value) ? undefined : { kind: kind === 'number' ? `number ${String(value)}` : kind, goType };
  if (goType === '[]int') {
    if (!Array.isArray(value)) return { kind, goType };
    const bad = value.find((item) => item !== null && !isGoInt(item));
    return bad === undefined
      ? undefined
      : { kind: jsonKind(bad) === 'number' ? `number ${String(bad)}` : jsonKind(bad), goType: 'int' };
  }
  if (kind !== 'object') return { kind, goType };
  const bad = Object.values(value as Fields).find((item) => item !== null && typeof item !== 'string');
  return bad === undefined ? undefined : { kind: jsonKind(bad), goType: 'string' };
}

function isGoInt(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

function present(fields: Fields, key: string): boolean {
  return fields[key] !== undefined && fields[key] !== null;
}

function readString(fields: Fields, key: string, assign: (value: string) => void): string | undefined {
  if (!present(fields, key)) return undefined;
  const value = fields[key];
  if (typeof value !== 'string') return `${key} must be a string`;
  if (value.includes('\0')) return `${key} must not contain NUL characters`;
  if (value.length > 0) assign(value);
  return undefined;
}

function readName(fields: Fields, request: ProcessRequest, allowInteger: boolean): string | undefined {
  if (!present(fields, 'name')) return undefined;
  const name = fields.name;
  if (typeof name !== 'string') return 'name must be a string';
  if (name.length === 0) return undefined;
  if (name.length > MAX_NAME_LENGTH) return `name must be at most ${MAX_NAME_LENGTH} characters`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f/]/.test(name)) return 'name must not contain "/" or control characters';
  if (!allowInteger && /^[+-]?\d+$/.test(name)) return 'name must not be an integer (integers are looked up as pids)';
  request.name = name;
  return undefined;
}

function readBoolean(fields: Fields, key: string, assign: (value: boolean) => void): string | undefined {
  if (!present(fields, key)) return undefined;
  const value = fields[key];
  if (typeof value !== 'boolean') return `${key} must be a boolean`;
  assign(value);
  return undefined;
}

function readInteger(
  fields: Fields,
  key: string,
  minimum: number,
  maximum: number,
  assign: (value: number) => void,
): string | undefined {
  if (!present(fields, key)) return undefined;
  const value = fields[key];
  if (typeof value !== 'number' || !Number.isInteger(value)) return `${key} must be an integer`;
  if (value < minimum || value > maximum) return `${key} must be between ${minimum} and ${maximum}`;
  assign(value);
  return undefined;
}

function readEnvironment(fields: Fields, request: ProcessRequest): string | undefined {
  if (!present(fields, 'env')) return undefined;
  const env = fields.env;
  if (typeof env !== 'object' || env === null || Array.isArray(env)) return 'env must be an object of strings';
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (typeof value !== 'string') return `env.${key} must be a string`;
    if (key.length === 0 || key.includes('=') || key.includes('\0') || value.includes('\0')) {
      return `env.${key} is not a valid environment variable`;
    }
    result[key] = value;
  }
  request.env = result;
  return undefined;
}

function readPorts(fields: Fields, request: ProcessRequest): string | undefined {
  if (!present(fields, 'waitForPorts')) return undefined;
  const ports = fields.waitForPorts;
  if (!Array.isArray(ports)) return 'waitForPorts must be an array of integers';
  for (const port of ports) {
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) {
      return 'waitForPorts must hold integers between 1 and 65535';
    }
  }
  request.waitForPorts = ports as number[];
  return undefined;
}
