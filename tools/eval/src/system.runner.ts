import { randomUUID } from 'node:crypto';
import { Bus } from '@chatbot/bus';
import type { AnswerFields } from '@chatbot/proto';
import { createLogger } from '@chatbot/runtime';
import { startService, stopAll, waitFor, watchReplyCandidates, type ReplyCandidate, type RunningService, type TestEnv } from '@chatbot/testkit';

/**
 * The system a customer without an LLM talks to: qna-cache (catalogue, search), persona (the
 * spending recommendation) and an llm-dispatch worker in retrieval mode, each its own process on
 * the environment given. Questions go in as the LLM jobs qna-cache forwards; the answer is the
 * reply candidate the worker publishes.
 */
export interface AnsweringSystem {
  ask(questions: string[]): Promise<AnswerFields[]>;
  stop(): Promise<void>;
}

const REPLY_TIMEOUT_MS = 60_000;

export async function startAnsweringSystem(env: TestEnv, logLevel = 'warn'): Promise<AnsweringSystem> {
  const services: RunningService[] = [];
  const serviceEnv = { ...env.env, LOG_LEVEL: logLevel };
  try {
    for (const name of ['qna-cache', 'persona', 'llm-dispatch'] as const) services.push(await startService(name, serviceEnv));
  } catch (error) {
    await stopAll(services);
    throw error;
  }
  const bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'eval', logger: createLogger('eval', 'silent') });
  const candidates: ReplyCandidate[] = [];
  const watch = watchReplyCandidates(bus, candidates);
  await bus.flush();
  return {
    async ask(questions) {
      // One session per question: no answer can lean on a previous one.
      const jobs = questions.map((text) => ({ session_id: randomUUID(), message_id: randomUUID(), text, received_at: new Date().toISOString() }));
      for (const job of jobs) {
        await bus.publish('llmJob', job.session_id, job, { msgId: `job:${job.session_id}:${job.message_id}`, correlationId: randomUUID() });
      }
      const byMessage = () => new Map(candidates.map((c) => [c.reply.prompt_message_id, c.reply]));
      await waitFor('an answer to every question', () => jobs.every((job) => byMessage().has(job.message_id)), REPLY_TIMEOUT_MS);
      const replies = byMessage();
      return jobs.map((job) => replies.get(job.message_id)!.answer);
    },
    async stop() {
      watch.unsubscribe();
      await bus.close();
      await stopAll(services);
    },
  };
}
