/** Variables of the server's environment a child gets by default (plus every `LC_*`). */
export const DEFAULT_CHILD_ENVIRONMENT: readonly string[] = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TERM',
  'TMPDIR',
  'TZ',
];

/** Variables no child ever gets, whatever the options say. */
const NEVER_PASSED = new Set(['SANDPROC_TOKEN']);

/** Which of the server's variables children get. */
export interface EnvironmentPolicy {
  /** Every variable of the server (`--inherit-env`), instead of the default set. */
  inheritAll: boolean;
  /** Variables passed on top of the default set (`--pass-env NAME`). */
  passNames: readonly string[];
  /** Values that never reach a child (the token): a variable holding one is left out. */
  secrets: readonly string[];
  /** The shell commands run in: the child's `SHELL`. */
  shell: string;
  /** Replacements (isolated mode: the private `HOME`, `TMPDIR=/tmp`). */
  overrides: Readonly<Record<string, string>>;
}

function passedByDefault(name: string): boolean {
  return DEFAULT_CHILD_ENVIRONMENT.includes(name) || name.startsWith('LC_');
}

/** The environment a child starts from, before the request's own `env`, read from `source` now. */
export function childEnvironment(
  policy: EnvironmentPolicy,
  source: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || NEVER_PASSED.has(name)) continue;
    if (!policy.inheritAll && !passedByDefault(name) && !policy.passNames.includes(name)) continue;
    if (policy.secrets.some((secret) => secret.length > 0 && value === secret)) continue;
    environment[name] = value;
  }
  return { ...environment, SHELL: policy.shell, ...policy.overrides };
}
