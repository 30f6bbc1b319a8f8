import { randomUUID } from 'node:crypto';
import { createLogger } from '@chatbot/runtime';
import { isolate, type TestEnv } from '@chatbot/testkit';
import type { EventKey, EventPayload, StreamName } from '@chatbot/proto';
import { Bus } from './bus';

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const deleteStream = (name: StreamName) => bus.jsm.streams.delete(bus.ns.stream(name));

test('a batch consumer whose stream was deleted creates it again and goes on receiving', async () => {
  const session = randomUUID();
  const seen: string[] = [];
  const spec = { stream: 'CHAT_INBOUND' as const, durable: 'lost-batches', ackWaitMs: 5_000, maxDeliver: 5, maxAckPending: 100 };
  const handle = await bus.consumeBatches('chatInbound', spec, { maxBatch: 4 }, async (batch) => {
    for (const delivery of batch) seen.push(delivery.payload.message_id);
  });
  try {
    const message = (id: string) => ({ session_id: session, message_id: id, text: id, received_at: new Date().toISOString(), gateway_id: 'gw', protocol: 1 as const });
    await bus.publish('chatInbound', session, message('before'));
    await waitFor(() => seen.includes('before'), 10_000, 'the first message');
    expect(await deleteStream('CHAT_INBOUND')).toBe(true);
    await publishWhenTaken('chatInbound', session, message('after'));
    await waitFor(() => seen.includes('after'), 20_000, 'a message published after the stream was deleted');
    expect(seen).toEqual(['before', 'after']);
  } finally {
    await handle.stop();
  }
});

test('a job consumer whose stream was deleted creates it again and goes on receiving', async () => {
  const session = randomUUID();
  const seen: string[] = [];
  const spec = { stream: 'LLM_JOBS' as const, durable: 'lost-jobs', ackWaitMs: 5_000, maxDeliver: 5, maxAckPending: 100 };
  const handle = await bus.consumeJobs('llmJob', spec, { concurrency: 2, heartbeatMs: 1_000 }, async (job) => {
    seen.push(job.payload.message_id);
  });
  try {
    const job = (id: string) => ({ session_id: session, message_id: id, text: id, received_at: new Date().toISOString() });
    await bus.publish('llmJob', session, job('before'));
    await waitFor(() => seen.includes('before'), 10_000, 'the first job');
    expect(await deleteStream('LLM_JOBS')).toBe(true);
    await publishWhenTaken('llmJob', session, job('after'));
    await waitFor(() => seen.includes('after'), 20_000, 'a job published after the stream was deleted');
    expect(seen).toEqual(['before', 'after']);
  } finally {
    await handle.stop();
  }
});
