import { startStubLlm, type StubLlm } from '@chatbot/testkit';
import { answeredBy, newSessionId, startHarness, waitUntil, type DispatchHarness } from '../test/harness';

const SESSIONS = 50;
const MESSAGES = 4;

let harness: DispatchHarness;
let stub: StubLlm;

beforeAll(async () => {
  // Each answer echoes its prompt, after a random delay: replies finish in any order unless the
  // workers keep each session's order.
  stub = await startStubLlm({
    script: (request) => {
      const last = (request.messages ?? []).at(-1) as { content?: string } | undefined;
      return { text: `답변 ${last?.content ?? ''}`, ttftMs: Math.floor(Math.random() * 40), tokenDelayMs: Math.floor(Math.random() * 10) };
    },
  });
  harness = await startHarness({ workerEnv: { LLM_BASE_URL: stub.url, LLM_HISTORY_TURNS: '0' } });
  await Promise.all(['a', 'b', 'c', 'd'].map((instance) => harness.startWorker({}, instance)));
});

afterAll(async () => {
  await harness?.close();
  await stub?.close();
});

describe('per-session order across a pool of workers', () => {
  it('answers each message once, each session in the order it was sent', async () => {
    const sessions = Array.from({ length: SESSIONS }, () => newSessionId());
    const prompts = (session: number) => Array.from({ length: MESSAGES }, (_, m) => `s${session}-m${m}`);
    await Promise.all(sessions.map(async (sessionId, s) => {
      for (const id of prompts(s)) await harness.publishJob(sessionId, id, id);
    }));

    await waitUntil(() => harness.candidates.length >= SESSIONS * MESSAGES, 25_000, 'every reply');

    const ids = harness.candidates.map((candidate) => candidate.reply.prompt_message_id);
    expect(new Set(ids).size).toBe(SESSIONS * MESSAGES);
    sessions.forEach((sessionId, s) => {
      const replies = harness.candidates.filter((candidate) => candidate.reply.session_id === sessionId).map((candidate) => candidate.reply);
      expect(replies.map((reply) => reply.prompt_message_id)).toEqual(prompts(s));
      for (const reply of replies) expect(reply.answer.message).toBe(`답변 ${reply.prompt_message_id}`);
    });
    const busyWorkers = harness.workers.filter((worker) => ids.some((id) => answeredBy(worker, id!)));
    expect(busyWorkers.length).toBeGreaterThan(1);
  });
});
