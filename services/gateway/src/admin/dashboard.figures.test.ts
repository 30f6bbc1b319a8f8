import { createMetricsRegistry, counter, gauge, histogram, IncidentLog, ownMetrics, type Registry } from '@chatbot/runtime';
import type { OpsMetricsSnapshot, ServiceName } from '@chatbot/proto';
import { dashboardOf } from './dashboard.figures';

/** Real prom-client registries as the services fill them; the snapshots they would answer. */
async function snapshot(service: ServiceName, instance: string, registry: Registry, incidents = new IncidentLog()): Promise<OpsMetricsSnapshot> {
  return { service, instance, at: new Date().toISOString(), metrics: await ownMetrics(registry), incidents: incidents.snapshot() };
}

function worker(tokens: number, breaker: number, pending: number) {
  const registry = createMetricsRegistry('llm-dispatch');
  counter(registry, 'chatbot_llm_tokens_total', 'tokens', ['kind']).inc({ kind: 'prompt' }, tokens);
  gauge(registry, 'chatbot_llm_breaker_state', 'breaker', [], { aggregator: 'max' }).set(breaker);
  gauge(registry, 'chatbot_llm_queue_pending', 'pending', [], { aggregator: 'max' }).set(pending);
  return registry;
}

function gatewayRegistry(replySeconds: number[]) {
  const registry = createMetricsRegistry('gateway');
  counter(registry, 'chatbot_gateway_frames_in_total', 'frames', ['type']).inc({ type: 'message' }, replySeconds.length);
  const latency = histogram(registry, 'chatbot_gateway_reply_latency_seconds', 'latency');
  for (const seconds of replySeconds) latency.observe(seconds);
  return registry;
}

test('instances of a service add up, a shared gauge is read once, and each worker keeps its own breaker', async () => {
  const answers = [await snapshot('llm-dispatch', 'w1', worker(100, 0, 7)), await snapshot('llm-dispatch', 'w2', worker(50, 2, 7))];
  const dashboard = await dashboardOf(answers, new Date(), 10);
  expect(dashboard.llm).toMatchObject({ prompt_tokens_total: 150, completion_tokens_total: 0, queue_pending: 7 });
  expect(dashboard.llm!.breakers).toEqual([{ instance: 'w1', state: 'closed' }, { instance: 'w2', state: 'open' }]);
});

test('histograms merge bucket by bucket before the quantiles are read', async () => {
  const answers = [await snapshot('gateway', 'g1', gatewayRegistry([0.09, 0.09])), await snapshot('gateway', 'g2', gatewayRegistry([0.09, 4]))];
  const { gateway } = await dashboardOf(answers, new Date(), 10);
  expect(gateway!.messages_total).toBe(4);
  expect(gateway!.reply_p50_ms).toBe(83); // rank 2 of the 3 in the 0.05–0.1 bucket: two thirds into it
  expect(gateway!.reply_p99_ms).toBeGreaterThan(2_500);
  expect(gateway!.first_token_p50_ms).toBeNull();
});

test('a service that did not answer is missing (null figures, no instance), not zero', async () => {
  const dashboard = await dashboardOf([await snapshot('gateway', 'g1', gatewayRegistry([]))], new Date(), 10);
  expect(dashboard.llm).toBeNull();
  expect(dashboard.chat_log).toBeNull();
  expect(dashboard.services.find((s) => s.service === 'llm-dispatch')).toEqual({ service: 'llm-dispatch', instances: [] });
});

test('incidents of every instance: counts by code added up, the recent ones newest first with who answered them', async () => {
  const first = new IncidentLog();
  const second = new IncidentLog();
  const older = first.open('E5002', 'GET qna.faq', new Date('2026-12-07T10:00:00Z'));
  const newer = second.open('E5002', 'llm.job.v1.s', new Date('2026-12-07T10:00:05Z'));
  const answers = [await snapshot('gateway', 'g1', gatewayRegistry([]), first), await snapshot('llm-dispatch', 'w1', worker(0, 0, 0), second)];
  const { incidents } = await dashboardOf(answers, new Date(), 10);
  expect(incidents.by_code).toEqual({ E5002: 2 });
  expect(incidents.recent.map((i) => [i.incident_id, i.service, i.instance])).toEqual([[newer, 'llm-dispatch', 'w1'], [older, 'gateway', 'g1']]);
});
