import { randomUUID } from 'node:crypto';
import { createLogger } from '@chatbot/runtime';
import { isolate, sleep, waitFor, type TestEnv } from '@chatbot/testkit';
import type { EventKey, EventPayload } from '@chatbot/proto';
import { Bus, wireOf } from './bus';
import type { ConsumerHandle } from './consumers';
import type { ConsumerSpec } from './topology';

/**
 * A broker that lost its JetStream state (a NATS pod restarted without its volume, a stream
 * deleted by hand): the consumers of a running service create their stream and durable again,
 * and deliveries resume without a restart.
 */
const logger = createLogger('bus-test', 'silent');
let env: TestEnv;
let bus: Bus;

beforeAll(async () => {
  env = await isolate();
  bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'lost-topology-test', logger });
  await bus.ensureStreams(['CHAT_INBOUND', 'LLM_JOBS']);
});
afterAll(async () => {
  await bus.close();
  await env.cleanup();
});

/** Publishes until the broker takes it (while the stream is missing, a publish is refused). */
async function publishWhenTaken<K extends EventKey>(key: K, token: string, payload: EventPayload<K>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await bus.publish(key, token, payload);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

interface Case<K extends EventKey> {
  kind: string;
  key: K;
  spec: ConsumerSpec;
  /** Starts the consumer; each payload it gets goes to `seen` by its message id. */
  consume(spec: ConsumerSpec, seen: string[]): Promise<ConsumerHandle>;
  payload(session: string, id: string): EventPayload<K>;
}

const cases: Array<Case<'chatInbound'> | Case<'llmJob'>> = [
  {
    kind: 'batch',
    key: 'chatInbound',
    spec: { stream: 'CHAT_INBOUND', durable: 'lost-batches', ackWaitMs: 5_000, maxDeliver: 5, maxAckPending: 100 },
    consume: (spec, seen) =>
      bus.consumeBatches('chatInbound', spec, { maxBatch: 4 }, async (batch) => {
        for (const delivery of batch) seen.push(delivery.payload.message_id);
      }),
    payload: (session, id) => ({ session_id: session, message_id: id, text: id, received_at: new Date().toISOString(), gateway_id: 'gw', protocol: 1 }),
  },
  {
    kind: 'job',
    key: 'llmJob',
    spec: { stream: 'LLM_JOBS', durable: 'lost-jobs', ackWaitMs: 5_000, maxDeliver: 5, maxAckPending: 100 },
    consume: (spec, seen) => bus.consumeJobs('llmJob', spec, { concurrency: 2, heartbeatMs: 1_000 }, async (job) => void seen.push(job.payload.message_id)),
    payload: (session, id) => ({ session_id: session, message_id: id, text: id, received_at: new Date().toISOString() }),
  },
];

test.each(cases)('a $kind consumer whose stream was deleted creates it again and goes on receiving', async (c: Case<EventKey>) => {
  const session = randomUUID();
  const seen: string[] = [];
  const handle = await c.consume(c.spec, seen);
  try {
    await bus.publish(c.key, session, c.payload(session, 'before'));
    await waitFor('the first message', () => seen.includes('before'), 10_000);
    expect(await wireOf(bus).jsm.streams.delete(bus.ns.stream(c.spec.stream))).toBe(true);
    await publishWhenTaken(c.key, session, c.payload(session, 'after'));
    await waitFor('a message published after the stream was deleted', () => seen.includes('after'), 20_000);
    expect(seen).toEqual(['before', 'after']);
  } finally {
    await handle.stop();
  }
});
