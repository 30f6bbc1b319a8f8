import { killTagged, tagRun } from './lib/processes';
import { provideServers } from './lib/servers';
import type { Scenario, ScenarioResult } from './scenarios';

/**
 * One scenario on the servers at hand (the jest global setup's in tests), with every process it
 * started ended afterwards whatever happened. What the test suite calls.
 */
export async function runOnce<S>(scenario: Scenario<S>, size: S): Promise<ScenarioResult> {
  tagRun();
  const provided = await provideServers();
  try {
    return await scenario.run({ servers: provided.servers, log: () => undefined }, size);
  } finally {
    await provided.close();
    killTagged();
    delete process.env.CHAOS_RUN;
  }
}

/** What a test asserts: nothing lost, nothing duplicated, no broken guarantee (with the evidence when there is). */
export function outcome(result: ScenarioResult): { lost: number; duplicated: number; failures: string[] } {
  const failures = result.failures.length > 0 ? [...result.failures, ...result.notes.map((n) => `note: ${n}`)] : [];
  return { lost: result.lost, duplicated: result.duplicated, failures };
}

export const PASSED = { lost: 0, duplicated: 0, failures: [] };
