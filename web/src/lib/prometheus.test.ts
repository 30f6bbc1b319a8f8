import { parseMetrics, quantile, total } from './prometheus';

const text = `# HELP chatbot_gateway_frames_in_total Client frames received, by kind
# TYPE chatbot_gateway_frames_in_total counter
chatbot_gateway_frames_in_total{type="message"} 7
chatbot_gateway_frames_in_total{type="handoff"} 1
chatbot_gateway_error_frames_total{code="E4004"} 2
chatbot_gateway_reply_latency_seconds_bucket{le="0.1"} 2
chatbot_gateway_reply_latency_seconds_bucket{le="1"} 8
chatbot_gateway_reply_latency_seconds_bucket{le="+Inf"} 10
chatbot_gateway_reply_latency_seconds_count 10
`;

test('samples with labels, summed over label sets or some of them', () => {
  const samples = parseMetrics(text);
  expect(total(samples, 'chatbot_gateway_frames_in_total')).toBe(8);
  expect(total(samples, 'chatbot_gateway_frames_in_total', (l) => l.type === 'message')).toBe(7);
  expect(samples.find((s) => s.name === 'chatbot_gateway_error_frames_total')?.labels).toEqual({ code: 'E4004' });
});

test('quantiles from cumulative buckets, linear inside a bucket; none without observations', () => {
  const samples = parseMetrics(text);
  expect(quantile(samples, 'chatbot_gateway_reply_latency_seconds', 0.5)).toBeCloseTo(0.1 + 0.9 * (3 / 6));
  expect(quantile(samples, 'chatbot_gateway_reply_latency_seconds', 0.99)).toBe(1);
  expect(quantile([], 'chatbot_gateway_reply_latency_seconds', 0.5)).toBeNull();
});
