import { randomUUID } from 'node:crypto';
import { AckPolicy, RetentionPolicy } from '@nats-io/jetstream';
import { Bus, type Delivery } from '@chatbot/bus';
import { consumers, type LlmJobV1 } from '@chatbot/proto';
import { createLogger } from '@chatbot/runtime';
import { isolate, type TestEnv } from '@chatbot/testkit';
import { SessionHeadGuard } from './jobs/session-head.guard';

/**
 * The guard against real JetStream state: a head delivered and never acknowledged stands for one a
 * restarted broker keeps pending without delivering it again.
 */
const logger = createLogger('head-test', 'silent');
let env: TestEnv;
let bus: Bus;
let stream: string;

beforeAll(async () => {
  env = await isolate();
  bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'head-test', logger });
  stream = bus.ns.stream('LLM_JOBS');
  await bus.jsm.streams.add({ name: stream, subjects: [bus.ns.subject('llm.job.v1.*')], retention: RetentionPolicy.Workqueue, allow_direct: true });
  await bus.jsm.consumers.add(stream, { durable_name: consumers.llmDispatch.durable, ack_policy: AckPolicy.Explicit, ack_wait: 60_000_000_000 });
});
afterAll(async () => {
  await bus.close();
  await env.cleanup();
});

const jobAt = (session: string, streamSeq: number) => ({ subject: `llm.job.v1.${session}`, streamSeq }) as Delivery<LlmJobV1>;

test('a later job waits for its head; a head queued past the stuck limit is requeued, and the later job goes first', async () => {
  const session = randomUUID();
  const subject = bus.ns.subject(`llm.job.v1.${session}`);
  const first = (await bus.js.publish(subject, 'first')).seq;
  const second = (await bus.js.publish(subject, 'second')).seq;
  const consumer = await bus.js.consumers.get(stream, consumers.llmDispatch.durable);
  const held = await consumer.next({ expires: 2_000 }); // delivered, never acknowledged
  expect(held?.seq).toBe(first);

  const guard = new SessionHeadGuard(bus, 60_000, logger);
  expect(await guard.isHead(jobAt(session, second))).toBe(false);
  expect(await guard.isHead(jobAt(session, first))).toBe(true);
  expect((await bus.jsm.streams.getMessage(stream, { seq: first }))?.seq).toBe(first); // left alone

  expect(await guard.isHead(jobAt(session, second), Date.now() + 61_000)).toBe(false); // past the limit: requeued
  expect(await bus.jsm.streams.getMessage(stream, { seq: first }).catch(() => null)).toBeNull();
  expect(await guard.isHead(jobAt(session, second))).toBe(true);
  const copy = await consumer.next({ expires: 2_000 });
  expect(copy?.string()).toBe('second'); // the queue delivers in order: the later job, then the copy
  copy?.ack();
  const again = await consumer.next({ expires: 2_000 });
  expect(again?.string()).toBe('first');
  expect(again!.seq).toBeGreaterThan(second);
  again?.ack();
});
