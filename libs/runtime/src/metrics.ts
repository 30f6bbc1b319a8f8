import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Aggregator } from 'prom-client';

/** Latency buckets in seconds, from sub-millisecond cache hits to minute-long LLM replies. */
const latencyBuckets = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
];

/** One registry per process, with the process metrics and the service name as a label. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function counter(registry: Registry, name: string, help: string, labelNames: string[] = []) {
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export interface GaugeOptions {
  /**
   * How the dashboard adds up instances (prom-client's aggregators): `sum` (the default) for what
   * each instance holds, `max` for a figure every instance reads from one shared source.
   */
  aggregator?: Aggregator;
  /** Reads the value when the registry is read (a scrape or a dashboard request). */
  collect?: (this: Gauge) => void | Promise<void>;
}

export function gauge(registry: Registry, name: string, help: string, labelNames: string[] = [], options: GaugeOptions = {}) {
  return new Gauge({ name, help, labelNames, registers: [registry], ...options });
}

export function histogram(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[] = [],
  buckets: number[] = latencyBuckets,
) {
  return new Histogram({ name, help, labelNames, buckets, registers: [registry] });
}

export type { Registry, Counter, Gauge, Histogram };
