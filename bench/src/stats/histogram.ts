/**
 * A mergeable latency histogram with log-spaced buckets (about 1 % relative error), so load
 * generators can send a compact summary to the harness instead of every sample.
 */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Values are recorded in microseconds; anything under 1 µs lands in bucket 0. */
const US_PER_MS = 1000;

export interface HistogramJson {
  buckets: Record<string, number>;
  count: number;
  sumMs: number;
  maxMs: number;
}

export class Histogram {
  private readonly buckets = new Map<number, number>();
  count = 0;
  sumMs = 0;
  maxMs = 0;

  record(ms: number): void {
    const us = ms * US_PER_MS;
    const index = us <= 1 ? 0 : Math.ceil(Math.log(us) / LOG_GROWTH);
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + 1);
    this.count += 1;
    this.sumMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  merge(other: Histogram | HistogramJson): this {
    const entries = other instanceof Histogram ? other.buckets.entries() : Object.entries(other.buckets);
    for (const [key, n] of entries) {
      const index = Number(key);
      this.buckets.set(index, (this.buckets.get(index) ?? 0) + n);
    }
    this.count += other.count;
    this.sumMs += other.sumMs;
    this.maxMs = Math.max(this.maxMs, other.maxMs);
    return this;
  }

  /** The value at percentile `p` (0–100), in ms: the upper edge of the bucket that holds it. */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (const index of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(index)!;
      if (seen >= rank) return Math.min(this.maxMs, index === 0 ? 0.001 : GROWTH ** index / US_PER_MS);
    }
    return this.maxMs;
  }

  mean(): number {
    return this.count === 0 ? NaN : this.sumMs / this.count;
  }

  toJSON(): HistogramJson {
    return { buckets: Object.fromEntries(this.buckets), count: this.count, sumMs: this.sumMs, maxMs: this.maxMs };
  }

  static from(json: HistogramJson): Histogram {
    return new Histogram().merge(json);
  }
}

/** The figures a report prints for one latency distribution. */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export function summarise(histogram: Histogram): LatencySummary {
  return {
    count: histogram.count,
    p50: histogram.percentile(50),
    p99: histogram.percentile(99),
    p999: histogram.percentile(99.9),
    max: histogram.maxMs,
    mean: histogram.mean(),
  };
}
