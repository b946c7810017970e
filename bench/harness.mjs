// Shared helpers of the benchmarks: the packages under test (built), timing and statistics.
// Benchmarks print ratios against a baseline measured in the same run; they never assert on time.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Imports a workspace package's built ESM entry (bench/ is not a workspace package). */
export async function importBuilt(packageDir) {
  const entry = `${root}packages/${packageDir}/dist/index.js`;
  if (!existsSync(entry)) {
    throw new Error(`${entry} is missing: run \`pnpm build\` (or \`pnpm bench\`, which builds first)`);
  }
  return import(pathToFileURL(entry).href);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function percentile(values, fraction) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

/**
 * Milliseconds taken by `run` (wall clock), the CPU milliseconds this process spent meanwhile (user +
 * system: less disturbed by other processes on a shared machine), and its result.
 */
export async function timed(run) {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = await run();
  const { user, system } = process.cpuUsage(cpu);
  return { ms: performance.now() - start, cpuMs: (user + system) / 1000, result };
}

/**
 * Runs `baseline` and `subject` alternately (`rounds` times each, after `warmup` unmeasured
 * rounds), so that machine noise hits both alike. Returns the samples in milliseconds (wall clock),
 * and in `cpu` the CPU milliseconds of this process (which runs the server too).
 */
export async function alternate({ rounds, warmup = 1, baseline, subject }) {
  const samples = { baseline: [], subject: [], cpu: { baseline: [], subject: [] } };
  for (let round = 0; round < warmup + rounds; round++) {
    const first = round % 2 === 0 ? ['baseline', baseline] : ['subject', subject];
    const second = round % 2 === 0 ? ['subject', subject] : ['baseline', baseline];
    for (const [name, run] of [first, second]) {
      const { ms, cpuMs } = await timed(run);
      if (round < warmup) continue;
      samples[name].push(ms);
      samples.cpu[name].push(cpuMs);
    }
  }
  return samples;
}

const format = (value, digits = 2) => value.toFixed(digits);

/**
 * One result line: subject vs baseline, as a ratio of medians (> 1 means the subject is slower),
 * and the range of the per-round ratios (each round runs both sides back to back).
 */
export function report(title, samples, { unit = 'ms', perUnit } = {}) {
  const baseline = median(samples.baseline);
  const subject = median(samples.subject);
  const rounds = samples.subject.map((value, index) => value / samples.baseline[index]);
  const cpu = samples.cpu ? `  CPU ratio ${format(median(samples.cpu.subject) / median(samples.cpu.baseline))}x` : '';
  const extra = (perUnit ? `  (${perUnit(subject)} vs ${perUnit(baseline)})` : '') + cpu;
  console.log(
    `${title.padEnd(52)} ratio ${format(subject / baseline)}x (rounds ${format(Math.min(...rounds))}–${format(Math.max(...rounds))}x, n=${rounds.length})  ` +
      `subject median ${format(subject)} ${unit} p90 ${format(percentile(samples.subject, 0.9))}  ` +
      `baseline median ${format(baseline)} ${unit} p90 ${format(percentile(samples.baseline, 0.9))}${extra}`,
  );
  return subject / baseline;
}
