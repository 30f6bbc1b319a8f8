import { randomUUID } from 'node:crypto';
import type { Msg } from '@nats-io/transport-node';
import type { LlmJobV1 } from '@chatbot/proto';
import { createLogger, inSpan, startTracing, tracingOn, type Tracing } from '@chatbot/runtime';
import { eventually, isolate, startOtlpCollector, type OtlpCollector, type TestEnv } from '@chatbot/testkit';
import { Bus, wireOf } from './bus';
import type { Delivery } from './delivery';

/**
 * W3C trace context over NATS, against the real broker and an OTLP receiver. First with tracing
 * off, as every process runs without OTEL_EXPORTER_OTLP_ENDPOINT: messages carry no trace header,
 * deliveries no trace, and nothing is exported. Then on, in the same process: the trace crosses
 * a publish, a job consumer and a request.
 */
const logger = createLogger('trace-test', 'silent');
let env: TestEnv;
let bus: Bus;
let collector: OtlpCollector;
let tracing: Tracing | undefined;

beforeAll(async () => {
  collector = await startOtlpCollector();
  env = await isolate();
  bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'trace-test', logger });
  await bus.ensureStreams(['LLM_JOBS']);
  bus.serve('faqTop', async () => ({ items: [] }));
  const spec = { stream: 'LLM_JOBS' as const, durable: 'trace-test', ackWaitMs: 5000, maxDeliver: 5, maxAckPending: 10 };
  await bus.consumeJobs('llmJob', spec, { concurrency: 1, heartbeatMs: 1000 }, (delivery) => onJob(delivery));
  await bus.flush();
});
afterAll(async () => {
  await tracing?.shutdown();
  await bus.close();
  await env.cleanup();
  await collector.close();
});

const job = (session: string, id: string): LlmJobV1 => ({ session_id: session, message_id: id, text: 'x', received_at: new Date().toISOString() });

/** The headers of the next frame published on gw.deliver.v1 for `session`, as the broker carries them. */
async function headersOfNextDelivery(session: string, publish: () => Promise<unknown>): Promise<Msg['headers']> {
  const sub = wireOf(bus).nc.subscribe(bus.subject({ name: 'gw.deliver.v1', token: 'session' }, session), { max: 1 });
  await bus.flush();
  await publish();
  for await (const msg of sub) return msg.headers;
  throw new Error('no message');
}

/** What the job consumer does with the next job: the test's step, then hand the delivery back. */
let onJob: (delivery: Delivery<LlmJobV1>) => Promise<void> = async () => {};

/** Publishes one job and returns its delivery to the job consumer, once `whileHandling` ran in its handler. */
async function deliverJob(whileHandling: () => Promise<unknown>): Promise<Delivery<LlmJobV1>> {
  const session = randomUUID();
  const handled = new Promise<Delivery<LlmJobV1>>((resolve) => {
    onJob = async (delivery) => {
      await whileHandling();
      resolve(delivery);
    };
  });
  await bus.publish('llmJob', session, job(session, 'j-1'));
  return handled;
}

describe('with no OTLP endpoint', () => {
  test('tracing stays off, even with OTEL_SDK_DISABLED and an endpoint', () => {
    expect(startTracing('trace-test', {}).on).toBe(false);
    expect(startTracing('trace-test', { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_SDK_DISABLED: 'true' }).on).toBe(false);
    expect(tracingOn()).toBe(false);
  });

  test('messages carry the correlation id and no trace header; deliveries carry no trace; nothing is exported', async () => {
    const session = randomUUID();
    const headers = await headersOfNextDelivery(session, () =>
      inSpan('ignored', {}, () => bus.publish('sessionDelivery', session, { type: 'stored', message_id: 'm-1' }, { correlationId: 'corr-off' })),
    );
    expect(headers?.get('Correlation-Id')).toBe('corr-off');
    expect(headers?.has('traceparent')).toBe(false);
    const delivery = await deliverJob(() => bus.request('faqTop', { top_k: 1 }));
    expect(delivery.trace).toBeUndefined();
    expect(delivery.payload.message_id).toBe('j-1');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(collector.requests).toBe(0);
  });
});

describe('with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  beforeAll(() => {
    process.env.OTEL_BSP_SCHEDULE_DELAY = '50';
    tracing = startTracing('trace-test', { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint });
  });

  test('a publish carries the active span as traceparent', async () => {
    const session = randomUUID();
    const headers = await headersOfNextDelivery(session, () =>
      inSpan('origin', {}, () => bus.publish('sessionDelivery', session, { type: 'stored', message_id: 'm-1' })),
    );
    const [, traceId, spanId] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(headers?.get('traceparent') ?? '') ?? [];
    await eventually(async () => expect(collector.spans).toContainEqual(expect.objectContaining({ name: 'origin', traceId, spanId })), 5_000);
  });

  test('a job continues its publisher\'s trace, and a request made while handling it continues the job\'s', async () => {
    const delivery = await inSpan('producer', {}, () => deliverJob(() => bus.request('faqTop', { top_k: 1 })));
    expect(delivery.trace).toBeDefined();
    const named = (name: string) => collector.spans.find((s) => s.name === name && s.service === 'trace-test');
    await eventually(async () => {
      for (const name of ['producer', 'process llm.job.v1', 'request qna.faq.top.v1', 'serve qna.faq.top.v1']) expect(named(name)).toBeDefined();
    }, 5_000);
    const [producer, processed, request, serve] = ['producer', 'process llm.job.v1', 'request qna.faq.top.v1', 'serve qna.faq.top.v1'].map((name) => named(name)!);
    expect(new Set([producer, processed, request, serve].map((s) => s.traceId)).size).toBe(1);
    expect(processed.parentSpanId).toBe(producer.spanId);
    expect(request.parentSpanId).toBe(processed.spanId);
    expect(serve.parentSpanId).toBe(request.spanId);
    expect({ processed: processed.kind, request: request.kind, serve: serve.kind }).toEqual({ processed: 5, request: 3, serve: 2 });
    expect(processed.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.destination.template': 'llm.job.v1' });
  });
});
