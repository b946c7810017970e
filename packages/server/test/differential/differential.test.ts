/**
 * The differential suite: every scenario runs against the reference server (the real Blaxel
 * sandbox-api), ours in strict mode and ours in extended mode. Strict must answer exactly as the
 * reference does; extended too, except for the differences a scenario declares (each checked to
 * show both behaviours). Skips, with one printed line, when the reference binary is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findReferenceBinary, referenceSkipLine } from '../reference/reference-server.js';
import { runScenario } from './run-scenario.js';
import type { ExchangeRecord, Scenario } from './scenario.js';
import { errorScenarios } from './scenarios/error-scenarios.js';
import { execScenarios } from './scenarios/exec-scenarios.js';
import { lifecycleScenarios } from './scenarios/lifecycle-scenarios.js';
import { streamScenarios } from './scenarios/stream-scenarios.js';
import { startTargets, type Target } from './targets.js';

const scenarios: Scenario[] = [...execScenarios, ...lifecycleScenarios, ...errorScenarios, ...streamScenarios];
const available = findReferenceBinary() !== undefined;
if (!available) console.log(referenceSkipLine('differential suite'));

async function runOn(targets: Target[], scenario: Scenario): Promise<Record<string, ExchangeRecord[]>> {
  const results = await Promise.all(
    targets.map(async (target) => [target.name, await runScenario(scenario, target.url)] as const),
  );
  return Object.fromEntries(results);
}

describe.skipIf(!available)('differential: reference vs strict vs extended', () => {
  let shared: Target[] = [];
  beforeAll(async () => {
    shared = await startTargets();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(shared.map((target) => target.stop()));
  }, 60_000);

  for (const scenario of scenarios) {
    it(scenario.title, async () => {
      const own = scenario.fresh ? await startTargets() : undefined;
      try {
        const records = await runOn(own ?? shared, scenario);
        const reference = records.reference ?? [];
        for (const mode of ['strict', 'extended'] as const) {
          const ours = records[mode] ?? [];
          const declared = (scenario.differences ?? []).filter((difference) => difference.mode === mode);
          if (declared.length === 0) {
            expect(ours, `${mode} mode answers as the reference does`).toEqual(reference);
            continue;
          }
          expect(ours, `${mode} mode differs as declared`).not.toEqual(reference);
          for (const difference of declared) {
            difference.reference(reference);
            difference.ours(ours);
          }
        }
      } finally {
        await Promise.all((own ?? []).map((target) => target.stop()));
      }
    }, 120_000);
  }
});
