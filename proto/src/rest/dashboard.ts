import { z } from 'zod';
import { RecentIncident, ServiceName } from '../bus/ops-payloads';

/**
 * `GET /api/admin/dashboard`: every service's figures, gathered by one gateway from the answers to
 * `ops.metrics.v1` within a bounded time. Instances of a service add up; a figure is null when the
 * service that owns it did not answer (missing, not zero).
 */
const Milliseconds = z.number().nonnegative().nullable();

export const DashboardService = z.object({
  service: ServiceName,
  /** The instances that answered; none means the service is missing. */
  instances: z.array(z.string()),
});

export const BreakerReading = z.object({
  instance: z.string(),
  state: z.enum(['closed', 'half-open', 'open']),
});

export const DashboardIncident = RecentIncident.extend({
  service: ServiceName,
  instance: z.string(),
});

export const DashboardResponse = z.object({
  at: z.string().datetime(),
  /** How long the gateway waited for answers. */
  gathered_ms: z.number().int().nonnegative(),
  services: z.array(DashboardService),
  /** Gateways: user messages received (a rate is two readings apart), open sockets, timeouts. */
  gateway: z.object({
    messages_total: z.number(),
    open_sockets: z.number(),
    reply_timeouts_total: z.number(),
    reply_p50_ms: Milliseconds,
    reply_p99_ms: Milliseconds,
    first_token_p50_ms: Milliseconds,
    /** Error frames clients were sent, by code. */
    error_frames: z.record(z.string(), z.number()),
  }).nullable(),
  /** chat-log: what it stored and what waits on it. */
  chat_log: z.object({
    messages_stored_total: z.number(),
    /** Messages in the inbound stream not yet delivered to chat-log. */
    inbound_pending: z.number(),
    /** Sessions with a stored message not answered yet. */
    sessions_awaiting_reply: z.number(),
    /** Conversations waiting for an agent (status waiting). */
    waiting_for_agent: z.number(),
  }).nullable(),
  /** llm-dispatch: the model's tokens, the work queue, each worker's circuit breaker. */
  llm: z.object({
    prompt_tokens_total: z.number(),
    completion_tokens_total: z.number(),
    queue_pending: z.number(),
    queue_ack_pending: z.number(),
    breakers: z.array(BreakerReading),
  }).nullable(),
  incidents: z.object({
    /** Since each instance started, all services added up. */
    by_code: z.record(z.string(), z.number()),
    /** Newest first, across services. */
    recent: z.array(DashboardIncident),
  }),
});
export type DashboardResponse = z.infer<typeof DashboardResponse>;
