import { z } from 'zod';

/** The services of the system: every one answers `ops.metrics.v1` with its own figures. */
export const ServiceName = z.enum(['gateway', 'chat-log', 'qna-cache', 'persona', 'llm-dispatch']);
export type ServiceName = z.infer<typeof ServiceName>;
export const serviceNames = ServiceName.options;

/**
 * One metric of a service's prom-client registry as `registry.getMetricsAsJSON()` gives it, so a
 * gateway can merge several instances with prom-client's own aggregation (`aggregator` says how
 * instances add up: `sum`, or `max` for a figure every instance reads from one shared source).
 */
export const MetricFamily = z.object({
  name: z.string(),
  help: z.string(),
  type: z.enum(['counter', 'gauge', 'histogram', 'summary']),
  aggregator: z.enum(['sum', 'first', 'min', 'max', 'average', 'omit']),
  values: z.array(z.object({
    value: z.number(),
    labels: z.record(z.string(), z.union([z.string(), z.number()])),
    metricName: z.string().optional(),
  })),
});

/** An error answered with an incident id (a 5xx to a caller, a failed model call), newest first. */
export const RecentIncident = z.object({
  code: z.string(),
  incident_id: z.string(),
  at: z.string().datetime(),
  /** The subject, route or job it happened on. */
  where: z.string(),
});

/** The most incidents one instance keeps and reports. */
export const RECENT_INCIDENTS = 20;

/** What one instance of one service answers to `ops.metrics.v1`: only figures it owns. */
export const OpsMetricsSnapshot = z.object({
  service: ServiceName,
  /** Host name and process id: the pod in Kubernetes. */
  instance: z.string(),
  at: z.string().datetime(),
  metrics: z.array(MetricFamily),
  incidents: z.object({
    /** Since the process started, by catalogue code. */
    by_code: z.record(z.string(), z.number().int().nonnegative()),
    recent: z.array(RecentIncident).max(RECENT_INCIDENTS),
  }),
});
export type OpsMetricsSnapshot = z.infer<typeof OpsMetricsSnapshot>;
