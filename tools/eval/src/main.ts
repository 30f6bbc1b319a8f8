import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isolateOn, resolveInfra } from '@chatbot/testkit';
import { loadCatalogueIndex } from './catalogue.index';
import { evaluate } from './evaluation';
import { loadQuestions } from './question.set';
import { renderReport } from './report';
import { startAnsweringSystem } from './system.runner';

const repoRoot = resolve(__dirname, '..', '..', '..');

/**
 * `npm run eval`: real NATS and Postgres (the test infrastructure's order: containers, NATS_URL /
 * DATABASE_URL, local nats-server + embedded Postgres), the answering services as processes, every
 * question of the set asked once; prints top-1, top-3 and MRR and the questions answered wrong.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      file: { type: 'string', default: join(repoRoot, 'tools', 'eval', 'data', 'questions.json') },
      'show-heldout': { type: 'boolean', default: false },
    },
  });
  const questions = await loadQuestions(resolve(values.file));
  const index = await loadCatalogueIndex(join(repoRoot, 'services', 'qna-cache', 'data'));
  const infra = await resolveInfra();
  process.stderr.write(`infrastructure: ${infra.source}\n`);
  const env = await isolateOn(infra.natsUrl, infra.adminDatabaseUrl);
  try {
    const system = await startAnsweringSystem(env);
    try {
      const started = Date.now();
      const scored = await evaluate(system, questions, index);
      process.stdout.write(`${renderReport(scored, { showHeldout: values['show-heldout'] })}\n`);
      process.stderr.write(`${questions.length} questions answered in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } finally {
      await system.stop();
    }
  } finally {
    await env.cleanup();
    await infra.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
