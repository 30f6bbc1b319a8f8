import { randomUUID } from 'node:crypto';
import { eventually, startOtlpCollector, startStubLlm, startSystem, type CollectedSpan, type OtlpCollector, type StubLlm, type TestSystem } from '@chatbot/testkit';
import { openV2 } from './support/chat';

/**
 * Distributed tracing of the real system: every service a process started with
 * OTEL_EXPORTER_OTLP_ENDPOINT pointing at an OTLP/HTTP receiver in this test, real NATS and
 * Postgres, an OpenAI-compatible stub for the LLM. One user message is one trace from the gateway
 * through chat-log and qna-cache (or llm-dispatch) back to the gateway, and an HTTP caller's
 * `traceparent` is continued.
 */
let collector: OtlpCollector;
let stub: StubLlm;
let system: TestSystem;

beforeAll(async () => {
  collector = await startOtlpCollector();
  stub = await startStubLlm();
  stub.setScript(() => ({ text: '연회비가 없는 카드도 있어요.' }));
  system = await startSystem({
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100', LLM_BASE_URL: stub.url, LLM_MODEL: 'stub-model' },
  });
}, 120_000);
afterAll(async () => {
  await system?.stop();
  await stub?.close();
  await collector?.close();
});

const inTrace = (traceId: string) => collector.spans.filter((s) => s.traceId === traceId);

/** The one span of `trace` named `name`, sent by `service`, whose parent is `parent`. */
function childOf(trace: CollectedSpan[], parent: CollectedSpan, service: string, name: string): CollectedSpan {
  const found = trace.filter((s) => s.parentSpanId === parent.spanId && s.service === service && s.name === name);
  if (found.length !== 1) {
    const seen = trace.map((s) => `${s.service} ${s.name} (${s.spanId} ← ${s.parentSpanId ?? 'root'})`).join('\n  ');
    throw new Error(`expected one ${service} span "${name}" under ${parent.name}, found ${found.length} in:\n  ${seen}`);
  }
  return found[0];
}

/** Sends a message on a fresh v2 socket and returns the root span of its trace, once its reply came. */
async function traceOfMessage(text: string): Promise<CollectedSpan> {
  const { socket } = await openV2(system);
  const messageId = randomUUID();
  socket.send({ message_id: messageId, message: text });
  await socket.waitFor((f) => f.type === 'reply' && f.message_id === messageId, 1, 30_000);
  socket.close();
  let accept: CollectedSpan | undefined;
  await eventually(async () => {
    accept = collector.spans.find((s) => s.name === 'gateway accept' && s.attributes['chat.message_id'] === messageId);
    expect(accept).toMatchObject({ service: 'gateway', kind: 2 });
  }, 15_000);
  expect(accept!.parentSpanId).toBeUndefined();
  return accept!;
}

/** The spans from `span` up to the root of its trace. */
function ancestry(trace: CollectedSpan[], span: CollectedSpan): CollectedSpan[] {
  const parent = trace.find((s) => s.spanId === span.parentSpanId);
  return parent ? [span, ...ancestry(trace, parent)] : [span];
}

test('one user message is one trace: gateway → chat-log → qna-cache → chat-log → gateway, each step the child of the one before', async () => {
  const accept = await traceOfMessage('연회비'); // a term: qna-cache answers it
  await eventually(async () => {
    const trace = inTrace(accept.traceId);
    // The chain, each step continuing the trace the message or reply carried to it over NATS.
    const stored = childOf(trace, accept, 'chat-log', 'process chat.inbound.v1');
    const routed = childOf(trace, stored, 'qna-cache', 'process chat.stored.v1');
    const answered = childOf(trace, routed, 'qna-cache', 'qna-cache answer');
    const committed = childOf(trace, answered, 'chat-log', 'process chat.reply.v1');
    const released = childOf(trace, committed, 'chat-log', 'chat-log release');
    childOf(trace, released, 'gateway', 'process gw.deliver.v1');
    // chat-log's `stored` frame reaches the gateway in the same trace.
    childOf(trace, stored, 'gateway', 'process gw.deliver.v1');
  }, 15_000);
});

test('a message the cache cannot answer is one trace through the LLM job, the LLM call and the release', async () => {
  const accept = await traceOfMessage('해외여행 갈 때 좋은 카드 추천해줘');
  await eventually(async () => {
    const trace = inTrace(accept.traceId);
    const stored = childOf(trace, accept, 'chat-log', 'process chat.inbound.v1');
    const answered = childOf(trace, childOf(trace, stored, 'qna-cache', 'process chat.stored.v1'), 'qna-cache', 'qna-cache answer');
    const job = childOf(trace, answered, 'llm-dispatch', 'process llm.job.v1');
    const call = trace.find((s) => s.service === 'llm-dispatch' && s.name === 'llm call');
    expect(call && ancestry(trace, call)).toContain(job);
    // The candidate llm-dispatch published is committed and released in the same trace.
    const committed = trace.find((s) => s.service === 'chat-log' && s.name === 'process chat.reply.v1');
    expect(committed && ancestry(trace, committed)).toContain(job);
    childOf(trace, childOf(trace, committed!, 'chat-log', 'chat-log release'), 'gateway', 'process gw.deliver.v1');
  }, 15_000);
});

test('an HTTP request continues the caller\'s traceparent into the service that answers it', async () => {
  const traceId = randomUUID().replaceAll('-', '');
  const callerSpanId = randomUUID().replaceAll('-', '').slice(0, 16);
  const response = await fetch(`${system.gateways[0]}/api/qna/faq?top_k=2`, { headers: { traceparent: `00-${traceId}-${callerSpanId}-01` } });
  expect(response.status).toBe(200);

  await eventually(async () => {
    const trace = inTrace(traceId);
    const server = trace.find((s) => s.service === 'gateway' && s.parentSpanId === callerSpanId);
    expect(server).toMatchObject({ name: 'GET qna.faq', kind: 2, attributes: expect.objectContaining({ 'http.response.status_code': 200 }) });
    const request = childOf(trace, server!, 'gateway', 'request qna.faq.top.v1');
    childOf(trace, request, 'qna-cache', 'serve qna.faq.top.v1');
  }, 15_000);
});
