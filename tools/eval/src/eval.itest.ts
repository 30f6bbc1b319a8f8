import { join } from 'node:path';
import { isolate, type TestEnv } from '@chatbot/testkit';
import { loadCatalogueIndex } from './catalogue.index';
import { evaluate } from './evaluation';
import { loadQuestions } from './question.set';
import { renderReport } from './report';
import { figures } from './scoring';
import { startAnsweringSystem, type AnsweringSystem } from './system.runner';

/** The evaluation end to end on a handful of questions: it runs and figures come out (their values are `npm run eval`'s business). */
const repoRoot = join(__dirname, '..', '..', '..');
let env: TestEnv;
let system: AnsweringSystem;

beforeAll(async () => {
  env = await isolate();
  system = await startAnsweringSystem(env);
});
afterAll(async () => {
  await system?.stop();
  await env?.cleanup();
});

test('asks the real services a few questions and reports top-1, top-3 and MRR', async () => {
  const all = await loadQuestions(join(repoRoot, 'tools', 'eval', 'data', 'questions.json'));
  expect(all.length).toBeGreaterThanOrEqual(150);
  const sample = [all[0]!, all[4]!, all[5]!, ...all.filter((q) => q.part === 'heldout').slice(0, 3)];
  const index = await loadCatalogueIndex(join(repoRoot, 'services', 'qna-cache', 'data'));
  const scored = await evaluate(system, sample, index);
  expect(scored).toHaveLength(sample.length);
  const overall = figures(scored);
  expect(overall.n).toBe(sample.length);
  for (const value of [overall.top1, overall.top3, overall.mrr]) expect(value).toBeGreaterThanOrEqual(0);
  const report = renderReport(scored, { showHeldout: false });
  expect(report).toMatch(/\| all +\| +6 \|/);
  expect(report).toContain('held-out part');
});
