import { randomUUID } from 'node:crypto';
import { createLogger } from '@chatbot/runtime';
import { isolate, type TestEnv } from '@chatbot/testkit';
import { Bus, wireOf } from './bus';
import type { ChatInboundV1 } from '@chatbot/proto';

const logger = createLogger('bus-test', 'silent');
let env: TestEnv;
let bus: Bus;

beforeAll(async () => {
  env = await isolate();
  bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'bus-test', logger });
  await bus.ensureStreams(['CHAT_INBOUND', 'LLM_JOBS']);
});
afterAll(async () => {
  await bus.close();
  await env.cleanup();
});

const inbound = (session: string, n: number): ChatInboundV1 => ({
  session_id: session,
  message_id: `m-${n}`,
  text: `hello ${n}`,
  received_at: new Date().toISOString(),
  gateway_id: 'gw',
  protocol: 1,
});

test('stream creation is idempotent and keeps the namespace prefix', async () => {
  await bus.ensureStreams(['CHAT_INBOUND']);
  const info = await wireOf(bus).jsm.streams.info(`${env.prefix.toUpperCase()}_CHAT_INBOUND`);
  expect(info.config.subjects).toEqual([`${env.prefix}.chat.inbound.v1.*`]);
});

test('services that create the same streams at the same moment all start', async () => {
  // They start together (npm start, a rollout): each finds the stream missing and creates it.
  const prefix = `${env.prefix}race`;
  const services = await Promise.all(Array.from({ length: 6 }, (_, i) => Bus.connect({ url: env.natsUrl, prefix, name: `race-${i}`, logger })));
  try {
    await Promise.all(services.map((service) => service.ensureStreams(['CHAT_REPLIES', 'LLM_JOBS'])));
    const info = await wireOf(bus).jsm.streams.info(`${prefix.toUpperCase()}_CHAT_REPLIES`);
    expect(info.config.subjects).toEqual([`${prefix}.chat.reply.v1.*`]);
  } finally {
    for (const name of ['CHAT_REPLIES', 'LLM_JOBS']) await wireOf(bus).jsm.streams.delete(`${prefix.toUpperCase()}_${name}`).catch(() => false);
    await Promise.all(services.map((service) => service.close()));
  }
});

test('a published message id is stored once within the duplicate window', async () => {
  const session = randomUUID();
  const first = await bus.publish('chatInbound', session, inbound(session, 1), { msgId: `${session}:m-1` });
  const again = await bus.publish('chatInbound', session, inbound(session, 1), { msgId: `${session}:m-1` });
  expect(again?.duplicate).toBe(true);
  expect(again?.seq).toBe(first?.seq);
});

test('batches arrive in stream order with the correlation id, and invalid payloads are dropped', async () => {
  const session = randomUUID();
  const seen: string[] = [];
  const correlations = new Set<string>();
  // an invalid payload on the same subject must not reach the handler nor stop the consumer
  await wireOf(bus).js.publish(bus.subject({ name: 'chat.inbound.v1', token: 'session' }, session), new TextEncoder().encode('{"bad":1}'));
  for (let n = 0; n < 20; n++) await bus.publish('chatInbound', session, inbound(session, n), { correlationId: 'corr-1' });
  const done = new Promise<void>((resolve) => {
    void bus.consumeBatches('chatInbound', { stream: 'CHAT_INBOUND', durable: 'order-test', ackWaitMs: 5000, maxDeliver: 5, maxAckPending: 1000 }, { maxBatch: 8 }, async (batch) => {
      for (const d of batch) {
        if (d.token !== session) continue;
        seen.push(d.payload.message_id);
        correlations.add(d.correlationId);
      }
      if (seen.length === 20) resolve();
    });
  });
  await done;
  expect(seen).toEqual(Array.from({ length: 20 }, (_, n) => `m-${n}`));
  expect([...correlations]).toEqual(['corr-1']);
});

test('request/reply returns typed data and maps handler errors to catalogue codes', async () => {
  bus.serve('binding', async (request) => {
    if (request.session_id.startsWith('0')) throw new (await import('@chatbot/runtime')).AppError('E4005');
    return { persona_id: 3 };
  });
  await bus.flush();
  await expect(bus.request('binding', { session_id: 'a0000000-0000-4000-8000-000000000000' })).resolves.toEqual({ persona_id: 3 });
  await expect(bus.request('binding', { session_id: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'E4005' });
  await expect(bus.request('personas', {}, { timeoutMs: 500 })).rejects.toMatchObject({ code: 'E5002' });
});

test("one subscription attends a token's event and request, and nothing of another token", async () => {
  const [mine, other] = [randomUUID(), randomUUID()];
  const delivered: unknown[] = [];
  const listening = bus.attend(mine, {
    event: 'sessionDelivery',
    handler: (delivery) => delivered.push(delivery),
    request: 'presence',
    responder: async () => ({ gateway_id: 'gw-attending' }),
  });
  await bus.flush();
  const [theirs, ours] = [randomUUID(), randomUUID()];
  await bus.publish('sessionDelivery', other, { type: 'stored', message_id: theirs });
  await bus.publish('sessionDelivery', mine, { type: 'stored', message_id: ours });
  // Answered on the same subscription after the delivery published before it.
  await expect(bus.request('presence', {}, { token: mine, timeoutMs: 2_000 })).resolves.toEqual({ gateway_id: 'gw-attending' });
  expect(delivered).toEqual([{ type: 'stored', message_id: ours }]);
  await expect(bus.request('presence', {}, { token: other, timeoutMs: 500 })).rejects.toMatchObject({ code: 'E5002' });
  listening.unsubscribe();
  await expect(bus.request('presence', {}, { token: mine, timeoutMs: 500 })).rejects.toMatchObject({ code: 'E5002' });
});

test('a request that may wait for its responder gets the answer of one that subscribes a moment later', async () => {
  const started = Date.now();
  await expect(bus.request('faqTop', { top_k: 3 }, { timeoutMs: 300, waitForResponder: true })).rejects.toMatchObject({ code: 'E5002' });
  expect(Date.now() - started).toBeGreaterThanOrEqual(290); // it asked again until its time was up

  const asked = bus.request('faqTop', { top_k: 3 }, { timeoutMs: 3_000, waitForResponder: true });
  const failsAtOnce = bus.request('faqTop', { top_k: 3 }, { timeoutMs: 3_000 });
  await expect(failsAtOnce).rejects.toMatchObject({ code: 'E5002' });
  await new Promise((resolve) => setTimeout(resolve, 300)); // the responder is not there yet
  bus.serve('faqTop', async () => ({ items: [] }));
  await expect(asked).resolves.toEqual({ items: [] });
});

test('job consumer holds at most `concurrency` jobs and redelivers a failed one', async () => {
  const session = randomUUID();
  let running = 0;
  let peak = 0;
  const attempts = new Map<string, number>();
  const finished = new Set<string>();
  for (let n = 0; n < 12; n++) {
    await bus.publish('llmJob', session, { session_id: session, message_id: `j-${n}`, text: 'x', received_at: new Date().toISOString() });
  }
  const all = new Promise<void>((resolve) => {
    void bus.consumeJobs('llmJob', { stream: 'LLM_JOBS', durable: 'jobs-test', ackWaitMs: 5000, maxDeliver: 5, maxAckPending: 100 }, { concurrency: 3, heartbeatMs: 1000, retryDelayMs: 50 }, async (job) => {
      running++;
      peak = Math.max(peak, running);
      const id = job.payload.message_id;
      attempts.set(id, (attempts.get(id) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 30));
      running--;
      if (id === 'j-5' && attempts.get(id) === 1) throw new Error('transient');
      finished.add(id);
      if (finished.size === 12) resolve();
    });
  });
  await all;
  expect(peak).toBeLessThanOrEqual(3);
  expect(attempts.get('j-5')).toBe(2);
});

test('a failing batch is retried in place, so later messages never overtake it; a poison batch is terminated', async () => {
  const session = randomUUID();
  const seen: string[] = [];
  let failures = 0;
  for (let n = 0; n < 7; n++) await bus.publish('chatInbound', session, inbound(session, n));
  const done = new Promise<void>((resolve) => {
    void bus.consumeBatches('chatInbound', { stream: 'CHAT_INBOUND', durable: 'retry-test', ackWaitMs: 5000, maxDeliver: -1, maxAckPending: 1000 }, { maxBatch: 2, retryDelayMs: 20 }, async (batch) => {
      const mine = batch.filter((d) => d.token === session);
      if (mine.some((d) => d.payload.message_id === 'm-2') && failures < 3) {
        failures++;
        throw new Error('database unavailable');
      }
      if (mine.some((d) => d.payload.message_id === 'm-4')) {
        throw Object.assign(new Error('constraint violated'), { retryable: false });
      }
      seen.push(...mine.map((d) => d.payload.message_id));
      if (seen.includes('m-6')) resolve();
    });
  });
  await done;
  expect(failures).toBe(3);
  // m-4 is poison: its batch is terminated, and with it the neighbour it may hold (m-3 or m-5,
  // depending on how the messages arrived); everything else is seen, in order
  const terminated = Array.from({ length: 7 }, (_, n) => `m-${n}`).filter((id) => !seen.includes(id));
  expect(terminated).toContain('m-4');
  expect(terminated.length).toBeLessThanOrEqual(2);
  expect(['m-3', 'm-4', 'm-5']).toEqual(expect.arrayContaining(terminated));
  expect([...seen].sort()).toEqual(seen);
});
