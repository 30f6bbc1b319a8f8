import { randomUUID } from 'node:crypto';
import { Bus, reconnectForTests, type Delivery } from '@chatbot/bus';
import { consumers, type LlmJobV1 } from '@chatbot/proto';
import { createLogger } from '@chatbot/runtime';
import { BrokerAdmin, isolate, startService, type RunningService, type TestEnv } from '@chatbot/testkit';
import { eventually, newSessionId } from '../test/harness';
import { answeredCheck } from './jobs/answered.check';
import { ANSWERED_CHECK_AFTER_MS, SessionHeadGuard } from './jobs/session-head.guard';

/**
 * The guard against real JetStream state and the real chat-log: a head delivered and never
 * acknowledged stands for one a restarted broker keeps pending without delivering it again.
 */
const logger = createLogger('head-test', 'silent');
let env: TestEnv;
let bus: Bus;
let chatLog: RunningService;
let admin: BrokerAdmin;
const { stream, durable } = consumers.llmDispatch;

beforeAll(async () => {
  env = await isolate();
  bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'head-test', logger });
  admin = await BrokerAdmin.open(env);
  await bus.ensureStreams([stream]); // the work queue as proto defines it: direct gets allowed
  await admin.addPullConsumer(stream, durable, 60_000);
  chatLog = await startService('chat-log', env.env);
});
afterAll(async () => {
  await chatLog?.process.stop('SIGTERM', 15_000);
  await admin.close();
  await bus.close();
  await env.cleanup();
});

const newGuard = (stuckAfterMs = 60_000) => new SessionHeadGuard(bus, stuckAfterMs, answeredCheck(bus, 2_000), logger);

const jobAt = (session: string, streamSeq: number) => ({ subject: `llm.job.v1.${session}`, token: session, streamSeq }) as Delivery<LlmJobV1>;

test('a later job waits for its head; a head queued past the stuck limit is requeued, and the later job goes first', async () => {
  const session = randomUUID();
  const subject = `llm.job.v1.${session}`;
  const first = await admin.publishRaw(subject, 'first');
  const second = await admin.publishRaw(subject, 'second');
  const held = await admin.pull(stream, durable); // delivered, never acknowledged
  expect(held?.seq).toBe(first);

  const guard = newGuard();
  expect(await guard.isHead(jobAt(session, second))).toBe(false);
  expect(await guard.isHead(jobAt(session, first))).toBe(true);
  expect((await admin.stored(stream, first))?.seq).toBe(first); // left alone

  expect(await guard.isHead(jobAt(session, second), Date.now() + 61_000)).toBe(false); // past the limit: requeued
  expect(await admin.stored(stream, first)).toBeNull();
  expect(await guard.isHead(jobAt(session, second))).toBe(true);
  const copy = await admin.pull(stream, durable);
  expect(copy?.text()).toBe('second'); // the queue delivers in order: the later job, then the copy
  copy?.ack();
  const again = await admin.pull(stream, durable);
  expect(again?.text()).toBe('first');
  expect(again!.seq).toBeGreaterThan(second);
  again?.ack();
});

/** A question chat-log stored, its job queued and delivered (never acknowledged), and a later job. */
async function heldHeadAndFollower(answerIt: boolean) {
  const sessionId = newSessionId();
  const [first, second] = [randomUUID(), randomUUID()];
  await bus.publish('chatInbound', sessionId, {
    session_id: sessionId, message_id: first, text: '결제일이 언제예요?', received_at: new Date().toISOString(), gateway_id: 'gw-test', protocol: 2,
  });
  await eventually(() => bus.request('prompt', { session_id: sessionId, message_id: first }), (s) => s.message === 'stored', 10_000, 'the question stored');
  if (answerIt) {
    await bus.publish('chatReply', sessionId, {
      reply_id: `cache:${sessionId}:${first}`, session_id: sessionId, kind: 'answer', prompt_message_id: first,
      answer: { message: '매월 14일이에요.', login_required: false }, source: 'qna-cache', produced_at: new Date().toISOString(),
    });
    await eventually(() => bus.request('prompt', { session_id: sessionId, message_id: first }), (s) => s.frame !== null, 10_000, 'the answer released');
  }
  const job = (messageId: string) => ({ session_id: sessionId, message_id: messageId, text: '질문', received_at: new Date().toISOString() });
  const head = await bus.publish('llmJob', sessionId, job(first));
  const held = await admin.pull(stream, durable); // the broker's record of it is what a crash left
  expect(held?.seq).toBe(head!.seq);
  const follower = await bus.publish('llmJob', sessionId, job(second));
  return { sessionId, headSeq: head!.seq, follower: jobAt(sessionId, follower!.seq) };
}

/** The connection drops and comes back, as it does when the broker restarts. */
async function reconnect() {
  const before = bus.connectedSince.getTime();
  await reconnectForTests(bus);
  await eventually(async () => bus.connectedSince.getTime(), (since) => since > before, 10_000, 'the bus reconnected');
}

const past = (ms: number) => Date.now() + ms;

test('after a reconnect, a head chat-log has answered is removed once queued past the check delay, and the next job goes on', async () => {
  const { headSeq, follower } = await heldHeadAndFollower(true);
  await reconnect();
  const guard = newGuard();
  expect(await guard.isHead(follower)).toBe(false); // just queued: chat-log is not asked yet
  expect((await admin.stored(stream, headSeq))?.seq).toBe(headSeq);

  expect(await guard.isHead(follower, past(ANSWERED_CHECK_AFTER_MS + 500))).toBe(false);
  expect(await admin.stored(stream, headSeq)).toBeNull(); // removed, not requeued
  expect(await guard.isHead(follower)).toBe(true);
  expect((await admin.streamState(stream)).messages).toBe(1); // the follower alone
  await admin.purge(stream);
});

test('an unanswered head is left in place until the stuck limit', async () => {
  const { headSeq, follower } = await heldHeadAndFollower(false);
  await reconnect();
  const guard = newGuard();
  expect(await guard.isHead(follower, past(ANSWERED_CHECK_AFTER_MS + 500))).toBe(false);
  expect((await admin.stored(stream, headSeq))?.seq).toBe(headSeq);
  await admin.purge(stream);
});

test('a head queued since the last reconnect is not asked about: a live broker delivers what it keeps', async () => {
  const { headSeq, follower } = await heldHeadAndFollower(true);
  const guard = newGuard();
  expect(await guard.isHead(follower, past(ANSWERED_CHECK_AFTER_MS + 500))).toBe(false);
  expect((await admin.stored(stream, headSeq))?.seq).toBe(headSeq); // answered, yet left alone
  await admin.purge(stream);
});
