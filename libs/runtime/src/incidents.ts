import { hostname } from 'node:os';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { RECENT_INCIDENTS, type ErrorCode, type OpsMetricsSnapshot } from '@chatbot/proto';
import { newIncidentId } from './errors';

type Incidents = OpsMetricsSnapshot['incidents'];

/**
 * The errors this process answered with an incident id: a count per code since it started and the
 * newest few (a bounded ring), for the dashboard. The log line with the whole story carries the
 * same id.
 */
export class IncidentLog {
  private readonly counts = new Map<string, number>();
  private readonly ring: Incidents['recent'] = [];

  constructor(private readonly size = RECENT_INCIDENTS) {}

  /** A new incident id for an error with this code, remembered here. */
  open(code: ErrorCode, where: string, now = new Date()): string {
    const incident_id = newIncidentId(now);
    this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
    this.ring.unshift({ code, incident_id, at: now.toISOString(), where });
    if (this.ring.length > this.size) this.ring.pop();
    return incident_id;
  }

  snapshot(): Incidents {
    return { by_code: Object.fromEntries(this.counts), recent: [...this.ring] };
  }
}

/** Which process answered: the host name (the pod in Kubernetes) and the process id. */
export function instanceId(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * The service's own metrics (the `chatbot_` ones, not the process defaults every instance has)
 * in prom-client's JSON form, with each metric's aggregator, for `ops.metrics.v1`.
 */
export async function ownMetrics(registry: Registry): Promise<OpsMetricsSnapshot['metrics']> {
  const all = await registry.getMetricsAsJSON();
  return all
    .filter((metric) => metric.name.startsWith('chatbot_'))
    .map((metric) => ({
      name: metric.name,
      help: metric.help,
      type: metric.type as unknown as OpsMetricsSnapshot['metrics'][number]['type'],
      aggregator: metric.aggregator,
      values: metric.values.map((sample) => {
        const { metricName } = sample as { metricName?: string }; // histograms name their series
        return { value: sample.value, labels: withoutUndefined(sample.labels), ...(metricName ? { metricName } : {}) };
      }),
    }));
}

function withoutUndefined(labels: Record<string, string | number | undefined>): Record<string, string | number> {
  return Object.fromEntries(Object.entries(labels).filter((entry): entry is [string, string | number] => entry[1] !== undefined));
}

/**
 * Several instances' metrics as one, with prom-client's cluster aggregation: each metric by its
 * own aggregator (counters and histogram buckets add up, shared gauges take the max).
 */
export async function mergeInstances(each: Array<OpsMetricsSnapshot['metrics']>): Promise<OpsMetricsSnapshot['metrics']> {
  if (each.length === 0) return [];
  const merged = AggregatorRegistry.aggregate(each as unknown as Parameters<typeof AggregatorRegistry.aggregate>[0]);
  return (await merged.getMetricsAsJSON()) as unknown as OpsMetricsSnapshot['metrics'];
}
