import { randomUUID } from 'node:crypto';
import { AckPolicy, RetentionPolicy } from '@nats-io/jetstream';
import { createLogger } from '@chatbot/runtime';
import { isolate, type TestEnv } from '@chatbot/testkit';
import { Bus, wireOf } from '../bus';
import { createOrphanSweep, findOrphans, type OrphanScope } from './orphans';

/**
 * The sweep against real JetStream state. A broker that crashed can keep messages at or below its
 * consumer's ack floor; here the stream keeps an acknowledged message on purpose (limits
 * retention), which is the same state: stored, never to be delivered again.
 */
const logger = createLogger('orphans-test', 'silent');
const DURABLE = 'workers';
let env: TestEnv;
let bus: Bus;
let scope: OrphanScope;

beforeAll(async () => {
  env = await isolate();
  bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'orphans-test', logger });
  scope = { js: wireOf(bus).js, jsm: wireOf(bus).jsm, stream: bus.ns.stream('WORK'), durable: DURABLE, logger };
});
beforeEach(async () => {
  await wireOf(bus).jsm.streams.delete(scope.stream).catch(() => false); // each test starts from an empty queue
  await wireOf(bus).jsm.streams.add({ name: scope.stream, subjects: [bus.ns.subject('work.*')], retention: RetentionPolicy.Limits });
  await wireOf(bus).jsm.consumers.add(scope.stream, { durable_name: DURABLE, ack_policy: AckPolicy.Explicit });
});
afterAll(async () => {
  await bus.close();
  await env.cleanup();
});

async function publish(text: string): Promise<number> {
  return (await wireOf(bus).js.publish(bus.ns.subject(`work.${randomUUID()}`), text, { msgID: text })).seq;
}

async function take() {
  const consumer = await wireOf(bus).js.consumers.get(scope.stream, DURABLE);
  const message = await consumer.next({ expires: 2_000 });
  if (!message) throw new Error('nothing was delivered');
  return message;
}

test('an orphan seen on two sweeps is published again, delivered under a new sequence, and removed', async () => {
  const orphan = await publish('job 1');
  const taken = await take();
  await taken.ackAck();
  expect(await findOrphans(scope)).toEqual([orphan]);

  const sweep = createOrphanSweep(scope);
  expect(await sweep()).toBe(0); // seen once: it may be a message caught between ack and removal
  expect(await sweep()).toBe(1);
  expect(await wireOf(bus).jsm.streams.getMessage(scope.stream, { seq: orphan }).catch(() => null)).toBeNull();

  const again = await take(); // under a dedupe id of its own, so the broker kept the copy
  expect(again.string()).toBe('job 1');
  expect(again.seq).toBeGreaterThan(orphan);
  expect(again.headers?.get('Nats-Msg-Id')).toMatch(new RegExp(`^requeue:${orphan}:`));
  await again.ackAck();
});

test('two replicas requeuing one orphan at once leave one copy in the queue', async () => {
  const orphan = await publish('job 2');
  await (await take()).ackAck();
  const replicas = [createOrphanSweep(scope), createOrphanSweep(scope)];
  await Promise.all(replicas.map((sweep) => sweep()));
  await Promise.all(replicas.map((sweep) => sweep()));

  const { state } = await wireOf(bus).jsm.streams.info(scope.stream);
  expect(state.messages).toBe(1);
  const copy = await take();
  expect(copy.string()).toBe('job 2');
  expect(copy.seq).toBeGreaterThan(orphan);
  await copy.ackAck();
});

test('a message being worked on (delivered, not acknowledged) and one not yet delivered are left alone', async () => {
  await publish('working');
  await publish('waiting');
  const working = await take();
  const sweep = createOrphanSweep(scope);
  await sweep();
  expect(await sweep()).toBe(0);
  expect(await findOrphans(scope)).toEqual([]);
  await working.ackAck();
});
