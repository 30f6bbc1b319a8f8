import { randomUUID } from 'node:crypto';
import { AckPolicy, RetentionPolicy } from '@nats-io/jetstream';
import { Bus, type Delivery } from '@chatbot/bus';
import { consumers, type LlmJobV1 } from '@chatbot/proto';
import { createLogger } from '@chatbot/runtime';
import { isolate, type TestEnv } from '@chatbot/testkit';
import { SessionHeadGuard } from './jobs/session-head.guard';

/**
 * The guard against real JetStream state. A broker that crashed can keep jobs its consumer already
 * acknowledged; here the stream keeps them on purpose (limits retention), which is the same state:
 * stored, at or below the ack floor, never to be delivered again.
 */
const logger = createLogger('head-test', 'silent');
let env: TestEnv;
let bus: Bus;
let stream: string;

beforeAll(async () => {
  env = await isolate();
  bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'head-test', logger });
  stream = bus.ns.stream('LLM_JOBS');
});
beforeEach(async () => {
  await bus.jsm.streams.delete(stream).catch(() => false); // each test starts from an empty queue
  await bus.jsm.streams.add({ name: stream, subjects: [bus.ns.subject('llm.job.v1.*')], retention: RetentionPolicy.Limits, allow_direct: true });
  await bus.jsm.consumers.add(stream, { durable_name: consumers.llmDispatch.durable, ack_policy: AckPolicy.Explicit });
});
afterAll(async () => {
  await bus.close();
  await env.cleanup();
});

async function queueJobs(session: string, count: number): Promise<number[]> {
  const seqs: number[] = [];
  for (let n = 0; n < count; n++) seqs.push((await bus.js.publish(bus.ns.subject(`llm.job.v1.${session}`), `job ${n}`)).seq);
  return seqs;
}

const jobAt = (session: string, streamSeq: number) => ({ subject: `llm.job.v1.${session}`, streamSeq }) as Delivery<LlmJobV1>;

async function takeNext(): Promise<{ seq: number; ack(): Promise<boolean> }> {
  const consumer = await bus.js.consumers.get(stream, consumers.llmDispatch.durable);
  const message = await consumer.next({ expires: 5_000 });
  if (!message) throw new Error('no job was delivered');
  return { seq: message.seq, ack: () => message.ackAck() };
}

test('an acknowledged job the stream still holds is removed, and the next job becomes head', async () => {
  const session = randomUUID();
  const [first, second] = await queueJobs(session, 2);
  const taken = await takeNext();
  expect(taken.seq).toBe(first);
  await taken.ack();
  expect((await bus.jsm.consumers.info(stream, consumers.llmDispatch.durable)).ack_floor.stream_seq).toBe(first);

  const guard = new SessionHeadGuard(bus, logger);
  expect(await guard.isHead(jobAt(session, second))).toBe(true);
  expect(await bus.jsm.streams.getMessage(stream, { seq: first }).catch(() => null)).toBeNull();
});

test('a head still being worked on (delivered, not acknowledged) keeps the next job waiting', async () => {
  const session = randomUUID();
  const [first, second] = await queueJobs(session, 2);
  const taken = await takeNext();
  expect(taken.seq).toBe(first);

  const guard = new SessionHeadGuard(bus, logger);
  expect(await guard.isHead(jobAt(session, second))).toBe(false);
  expect(await guard.isHead(jobAt(session, first))).toBe(true);
  expect((await bus.jsm.streams.getMessage(stream, { seq: first }))?.seq).toBe(first);
  await taken.ack();
});
