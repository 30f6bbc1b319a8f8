import { randomUUID } from 'node:crypto';
import { Bus } from '@chatbot/bus';
import { createLogger } from '@chatbot/runtime';
import { isolate, startService, watchReplyCandidates, type ReplyCandidate, type RunningService, type TestEnv } from '@chatbot/testkit';
import { eventually, logEntries, newSessionId } from '../test/harness';

/**
 * The retrieval router's card names come from the real qna-cache, and a qna-cache that starts
 * after the worker is waited for without holding the worker back: once it has loaded its
 * catalogue and said so, a product named only by its own name (no series name) is recognised.
 */
let env: TestEnv;
let bus: Bus;
let worker: RunningService;
let qnaCache: RunningService | undefined;
const candidates: ReplyCandidate[] = [];

beforeAll(async () => {
  env = await isolate();
  bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'card-names-test', logger: createLogger('card-names-test', 'silent') });
  watchReplyCandidates(bus, candidates);
  await bus.flush();
  worker = await startService('llm-dispatch', { ...env.env, CARD_NAMES_WAIT_MS: '300' });
});
afterAll(async () => {
  await worker?.process.stop('SIGTERM', 15_000);
  await qnaCache?.process.stop('SIGTERM', 15_000);
  await bus?.close();
  await env?.cleanup();
});

const entry = (entries: Array<Record<string, unknown>>, message: string) => entries.find((e) => e['msg'] === message);
const LOADED = 'card names loaded from qna-cache';

async function ask(text: string): Promise<ReplyCandidate> {
  const sessionId = newSessionId();
  const messageId = randomUUID();
  await bus.publish('llmJob', sessionId, { session_id: sessionId, message_id: messageId, text, received_at: new Date().toISOString() });
  const found = await eventually(async () => candidates.find((c) => c.reply.prompt_message_id === messageId), Boolean, 15_000, `the answer to ${text}`);
  return found!;
}

test('a worker started before qna-cache gets the card names once qna-cache has loaded its catalogue', async () => {
  // Started and ready without qna-cache: it waited a bounded time, then went on.
  expect(entry(logEntries(worker), 'card names unavailable from qna-cache; routing by series names until it answers')).toBeDefined();

  qnaCache = await startService('qna-cache', env.env);
  const entries = await eventually(async () => logEntries(worker), (all) => entry(all, LOADED) !== undefined, 15_000, 'the card names loaded');
  expect(entry(entries, LOADED)?.['cards']).toBe(55);

  // "쿠쿠" belongs to no series: only qna-cache's name "쿠쿠 우리카드" makes it a product (without
  // it the rules send the question to the FAQ).
  const { reply } = await ask('쿠쿠 우리카드 혜택 알려줘');
  expect(reply.answer.tool_name).toBe('get_card_description');
  expect(reply.answer.card_list?.[0]).toBe('쿠쿠 우리카드');
});
