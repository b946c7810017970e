/**
 * An example copied out of the repository and installed the way a user installs it: `npm install`
 * with the packed `@sandproc/*` tarballs, in a folder of its own under the system temp dir (no
 * workspace links, no pnpm), then its own scripts run there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PackedTarballs } from '../../scripts/pack-packages.mjs';

export const examplesRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Folders never copied with an example (what a previous local run may have left). */
const SKIPPED = new Set(['node_modules', '.next', 'dist', 'package-lock.json', 'next-env.d.ts']);

export interface ExampleProject {
  directory: string;
  /** Runs a command in the project; rejects with its output when it exits non-zero. */
  run(command: string, args: string[], options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<string>;
  /** Deletes the folder. */
  remove(): void;
}

/**
 * Copies `examples/<name>` (a folder path relative to `examples/`) to a temp folder, points its `@sandproc/*` dependencies at the tarballs
 * and runs `npm install` (from npm's cache when it holds everything).
 */
export async function installExample(
  name: string,
  tarballs: PackedTarballs,
  options: {
    /** Development dependencies a user installs but the test replaces with the workspace's (wrangler: miniflare and esbuild). */
    leaveOut?: string[];
  } = {},
): Promise<ExampleProject> {
  const directory = mkdtempSync(join(tmpdir(), `sandproc-example-${basename(name)}-`));
  cpSync(join(examplesRoot, name), directory, { recursive: true, filter: (source) => !SKIPPED.has(basename(source)) });
  const manifestPath = join(directory, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, Record<string, string> | undefined>;
  for (const field of ['dependencies', 'devDependencies'] as const) {
    const dependencies = manifest[field];
    if (!dependencies) continue;
    for (const shortName of Object.keys(tarballs) as (keyof PackedTarballs)[]) {
      if (dependencies[`@sandproc/${shortName}`])
        dependencies[`@sandproc/${shortName}`] = `file:${tarballs[shortName]}`;
    }
  }
  for (const left of options.leaveOut ?? []) delete manifest.devDependencies?.[left];
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  const project: ExampleProject = {
    directory,
    run: (command, args, options = {}) => runCommand(command, args, { cwd: directory, ...options }),
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
  await project.run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    timeoutMs: 540_000,
  });
  return project;
}

/** Runs a command to its end; rejects with its output when it fails or passes `timeoutMs`. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(output);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}:\n${output.slice(-4000)}`));
    });
  });
}

export interface LongRunningCommand {
  /** The first match of `readyPattern` in its output. */
  ready: RegExpMatchArray;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM to its process group, then waits for it to exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

/**
 * Starts a server-like command (`npm run dev`, `next start`) in its own process group and resolves
 * once its output matches `readyPattern` (ANSI colours removed); rejects if it exits first or
 * does not get there within `timeoutMs`.
 */
export function startCommand(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; readyPattern: RegExp; timeoutMs?: number },
): Promise<LongRunningCommand> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const stop = () => stopGroup(child);
  return new Promise((resolvePromise, reject) => {
    let settled = false;
    const fail = (reason: string) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      void stop();
      reject(new Error(`${command} ${args.join(' ')}: ${reason}:\n${output.slice(-4000)}`));
    };
    const timer = setTimeout(() => fail('not ready in time'), options.timeoutMs ?? 180_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour escapes (ESC is a control character)
      const match = output.replace(/\u001b\[[0-9;]*m/g, '').match(options.readyPattern);
      if (!match || settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      child.stdout.on('data', (more: Buffer) => (output += more.toString()));
      child.stderr.on('data', (more: Buffer) => (output += more.toString()));
      resolvePromise({ ready: match, output: () => output, stop });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => fail(`exited with ${code ?? signal} before it was ready`));
  });
}

function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const force = setTimeout(() => signalGroup(child, 'SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolvePromise();
    });
    signalGroup(child, 'SIGTERM');
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-(child.pid as number), signal);
  } catch {
    // Already gone.
  }
}
