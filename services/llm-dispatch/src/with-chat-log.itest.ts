import { randomUUID } from 'node:crypto';
import { Bus } from '@chatbot/bus';
import { createLogger } from '@chatbot/runtime';
import { BrokerAdmin, isolate, startService, startStubLlm, type RunningService, type StubLlm, type TestEnv } from '@chatbot/testkit';
import { eventually, logEntries, newSessionId } from '../test/harness';
import { ATTEMPTS_BUCKET, ATTEMPTS_TTL_MS, AttemptCounter } from './jobs/attempt.counter';

// The worker beside the real chat-log alone, for what depends on what chat-log has released.
// (The harness of the other specs also runs qna-cache, which would queue a job for every stored
// question; here the test decides which questions are queued and when their answers come.)
let env: TestEnv;
let bus: Bus;
let chatLog: RunningService;
let worker: RunningService;
let stub: StubLlm;

const FIRST = '리볼빙이 뭐예요?';
const SECOND = '수수료는요?';
const FIRST_ANSWER = '리볼빙은 결제 금액의 일부를 다음 달로 넘기는 방식이에요.';

beforeAll(async () => {
  stub = await startStubLlm();
  stub.setScript({ text: '수수료율은 카드마다 달라요.' });
  env = await isolate();
  bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'previous-reply-test', logger: createLogger('previous-reply-test', 'silent') });
  chatLog = await startService('chat-log', env.env);
  worker = await startService('llm-dispatch', { ...env.env, LLM_BASE_URL: stub.url, LLM_MODEL: 'stub-chat' });
});
afterAll(async () => {
  await worker?.process.stop('SIGTERM', 15_000);
  await chatLog?.process.stop('SIGTERM', 15_000);
  await bus?.close();
  await env?.cleanup();
  await stub?.close();
});

/** Both questions stored by chat-log, the first one unanswered, and the job of the second queued. */
async function secondQuestionQueued() {
  const sessionId = newSessionId();
  const [first, second] = [randomUUID(), randomUUID()];
  for (const [messageId, text] of [[first, FIRST], [second, SECOND]]) {
    await bus.publish('chatInbound', sessionId, {
      session_id: sessionId, message_id: messageId, text, received_at: new Date().toISOString(), gateway_id: 'gw-test', protocol: 2,
    });
  }
  await eventually(() => turnsOf(sessionId), (turns) => turns.length === 2, 10_000, 'both questions stored');
  const before = stub.requests.length;
  const job = { session_id: sessionId, message_id: second, text: SECOND, received_at: new Date().toISOString() };
  await bus.publish('llmJob', sessionId, job, { msgId: `${sessionId}:${second}`, correlationId: randomUUID() });
  return { sessionId, first, second, before };
}

const turnsOf = async (sessionId: string) => (await bus.request('history', { session_id: sessionId, limit: 10 })).turns;

/** The second question's answer, once chat-log has released it. */
const secondAnswered = (sessionId: string) =>
  eventually(() => turnsOf(sessionId), (turns) => turns.at(-1)?.role === 'assistant' && turns.length >= 3, 15_000, 'the second answer released');

// A broker killed with -9 can lose a job's acknowledgement after the answer went out; the job
// comes back, and its attempt record says a worker had it before.
test('a job tried before whose message chat-log has answered since is acknowledged without a model call', async () => {
  const { sessionId, first, before } = await secondQuestionQueued();
  await bus.publish('chatReply', sessionId, {
    reply_id: `cache:${sessionId}:${first}`, session_id: sessionId, kind: 'answer', prompt_message_id: first,
    answer: { message: FIRST_ANSWER, login_required: false }, source: 'qna-cache', produced_at: new Date().toISOString(),
  });
  await secondAnswered(sessionId);
  const calls = stub.requests.length;
  expect(calls).toBe(before + 1); // the second question's answer

  const attempts = await bus.kv(ATTEMPTS_BUCKET, ATTEMPTS_TTL_MS);
  await attempts.put(AttemptCounter.key({ session_id: sessionId, message_id: first }), '1');
  await bus.publish('llmJob', sessionId, { session_id: sessionId, message_id: first, text: FIRST, received_at: new Date().toISOString() }, { msgId: `again:${first}` });
  const dropped = (e: Record<string, unknown>) => e['msg'] === 'job already answered (its acknowledgement was lost); not asking the model again' && e['messageId'] === first;
  await eventually(async () => logEntries(worker), (entries) => entries.some(dropped), 10_000, 'the job dropped as answered');
  expect(stub.requests.length).toBe(calls);
  const admin = await BrokerAdmin.open(env);
  const queued = await admin.streamState('LLM_JOBS').finally(() => admin.close());
  expect(queued.messages).toBe(0); // acknowledged, so gone from the work queue
});
