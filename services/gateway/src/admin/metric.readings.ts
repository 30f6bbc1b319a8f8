import type { OpsMetricsSnapshot } from '@chatbot/proto';

/**
 * Reading figures out of metrics in prom-client's JSON form: the sum of a metric over its label
 * sets, and a quantile from a histogram's cumulative buckets (linear inside a bucket, as PromQL's
 * histogram_quantile does).
 */
export type Metrics = OpsMetricsSnapshot['metrics'];
type Labels = Record<string, string | number>;

const samplesOf = (metrics: Metrics, name: string, series = name) =>
  metrics.find((metric) => metric.name === name)?.values.filter((sample) => (sample.metricName ?? name) === series) ?? [];

export function total(metrics: Metrics, name: string, where: (labels: Labels) => boolean = () => true): number {
  return samplesOf(metrics, name).filter((sample) => where(sample.labels)).reduce((sum, sample) => sum + sample.value, 0);
}

/** A counter's values by one of its labels. */
export function byLabel(metrics: Metrics, name: string, label: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const sample of samplesOf(metrics, name)) {
    const key = String(sample.labels[label]);
    if (sample.value > 0) counts[key] = (counts[key] ?? 0) + sample.value;
  }
  return counts;
}

/** The q-quantile (0–1) of a histogram in seconds, over all its label sets; null without observations. */
export function quantile(metrics: Metrics, histogram: string, q: number): number | null {
  const buckets = new Map<number, number>();
  for (const sample of samplesOf(metrics, histogram, `${histogram}_bucket`)) {
    const le = sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + sample.value);
  }
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const count = sorted.at(-1)?.[1] ?? 0;
  if (count === 0) return null;
  const rank = q * count;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, cumulative] of sorted) {
    if (cumulative >= rank) {
      if (le === Infinity) return lowerBound;
      return lowerBound + (le - lowerBound) * ((rank - lowerCount) / Math.max(1, cumulative - lowerCount));
    }
    lowerBound = le;
    lowerCount = cumulative;
  }
  return lowerBound;
}
