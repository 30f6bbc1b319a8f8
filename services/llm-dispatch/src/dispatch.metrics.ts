import { counter, gauge, histogram, type GaugeOptions, type Registry } from '@chatbot/runtime';
import type { QueueDepth } from './jobs/queue-depth.reader';

export type DispatchMetrics = ReturnType<typeof createDispatchMetrics>;

/** Breaker states as gauge values, so a dashboard can colour 0/1/2. */
export const breakerStateValue = { closed: 0, 'half-open': 1, open: 2 } as const;

/** `readDepth` is asked whenever the registry is read (a scrape, a dashboard request). */
export function createDispatchMetrics(registry: Registry, readDepth: () => Promise<QueueDepth>) {
  return {
    jobs: counter(registry, 'chatbot_llm_jobs_total',
      'Jobs finished, by outcome (answered, failed, poison, already_answered)', ['outcome']),
    bounces: counter(registry, 'chatbot_llm_head_bounces_total',
      'Jobs handed back because an older message of the same session was still queued'),
    redeliveries: counter(registry, 'chatbot_llm_redeliveries_total',
      'Real attempts at a job that an earlier attempt did not finish (crash, timeout, error)'),
    llmSeconds: histogram(registry, 'chatbot_llm_request_duration_seconds',
      'One streamed model call, retries included, by outcome (ok or error code)', ['outcome']),
    firstTokenSeconds: histogram(registry, 'chatbot_llm_time_to_first_token_seconds',
      'From sending a model call to its first text token'),
    tokens: counter(registry, 'chatbot_llm_tokens_total', 'Tokens reported by the model server', ['kind']),
    llmErrors: counter(registry, 'chatbot_llm_errors_total', 'Model calls that failed, by error code', ['code']),
    retries: counter(registry, 'chatbot_llm_retries_total', 'Model call attempts repeated after a retryable error'),
    // each worker has its own breaker; merged, the worst one shows (the dashboard lists each)
    breakerState: gauge(registry, 'chatbot_llm_breaker_state', 'LLM circuit breaker: 0 closed, 1 half-open, 2 open', [], { aggregator: 'max' }),
    toolCalls: counter(registry, 'chatbot_llm_tool_calls_total', 'Tool calls, by tool and outcome', ['tool', 'outcome']),
    ...queueGauges(registry, readDepth),
  };
}

/**
 * The work queue's gauges. Every worker reads the one shared consumer, so instances are merged
 * with max, not added up. The registry collects its metrics together: both gauges share one
 * broker reading, and a broker that does not answer leaves the last one rather than failing the scrape.
 */
function queueGauges(registry: Registry, readDepth: () => Promise<QueueDepth>) {
  let inFlight: Promise<QueueDepth | undefined> | undefined;
  const read = () => (inFlight ??= readDepth().catch(() => undefined).finally(() => (inFlight = undefined)));
  const readingOf = (pick: (depth: QueueDepth) => number): GaugeOptions => ({
    aggregator: 'max',
    async collect() {
      const depth = await read();
      if (depth) this.set(pick(depth));
    },
  });
  return {
    queuePending: gauge(registry, 'chatbot_llm_queue_pending', 'Jobs waiting in the work queue, not yet delivered', [], readingOf((d) => d.pending)),
    queueAckPending: gauge(registry, 'chatbot_llm_queue_ack_pending', 'Jobs delivered to a worker and not yet acknowledged', [], readingOf((d) => d.ack_pending)),
  };
}
