import { serviceNames, type DashboardResponse, type OpsMetricsSnapshot, type ServiceName } from '@chatbot/proto';
import { mergeInstances } from '@chatbot/runtime';
import { byLabel, quantile, total, type Metrics } from './metric.readings';

/** The metric names the dashboard reads, by the service that owns them. */
const G = 'chatbot_gateway_';
const C = 'chatbot_chatlog_';
const L = 'chatbot_llm_';
const BREAKER = ['closed', 'half-open', 'open'] as const;

const ms = (seconds: number | null) => (seconds === null ? null : Math.round(seconds * 1000));

/**
 * The dashboard from the snapshots that answered: each service's instances merged (prom-client's
 * aggregation), its figures null when no instance of it answered.
 */
export async function dashboardOf(snapshots: OpsMetricsSnapshot[], at: Date, gatheredMs: number): Promise<DashboardResponse> {
  const of = (service: ServiceName) => snapshots.filter((snapshot) => snapshot.service === service);
  const merged = new Map<ServiceName, Metrics>();
  for (const service of serviceNames) {
    const answers = of(service);
    if (answers.length > 0) merged.set(service, await mergeInstances(answers.map((answer) => answer.metrics)));
  }
  const gateway = merged.get('gateway');
  const chatLog = merged.get('chat-log');
  const llm = merged.get('llm-dispatch');
  return {
    at: at.toISOString(),
    gathered_ms: gatheredMs,
    services: serviceNames.map((service) => ({ service, instances: of(service).map((answer) => answer.instance).sort() })),
    gateway: gateway ? gatewayFigures(gateway) : null,
    chat_log: chatLog
      ? {
        messages_stored_total: total(chatLog, `${C}messages_stored_total`),
        inbound_pending: total(chatLog, `${C}inbound_pending`),
        sessions_awaiting_reply: total(chatLog, `${C}sessions_awaiting_reply`),
        waiting_for_agent: total(chatLog, `${C}waiting_for_agent`),
      }
      : null,
    llm: llm ? { ...llmFigures(llm), breakers: of('llm-dispatch').map(breakerOf) } : null,
    incidents: incidentsOf(snapshots),
  };
}

function gatewayFigures(metrics: Metrics): NonNullable<DashboardResponse['gateway']> {
  return {
    messages_total: total(metrics, `${G}frames_in_total`, (labels) => labels.type === 'message'),
    open_sockets: total(metrics, `${G}ws_connections`),
    reply_timeouts_total: total(metrics, `${G}reply_timeouts_total`),
    reply_p50_ms: ms(quantile(metrics, `${G}reply_latency_seconds`, 0.5)),
    reply_p99_ms: ms(quantile(metrics, `${G}reply_latency_seconds`, 0.99)),
    first_token_p50_ms: ms(quantile(metrics, `${G}time_to_first_token_seconds`, 0.5)),
    error_frames: byLabel(metrics, `${G}error_frames_total`, 'code'),
  };
}

function llmFigures(metrics: Metrics) {
  return {
    prompt_tokens_total: total(metrics, `${L}tokens_total`, (labels) => labels.kind === 'prompt'),
    completion_tokens_total: total(metrics, `${L}tokens_total`, (labels) => labels.kind === 'completion'),
    queue_pending: total(metrics, `${L}queue_pending`),
    queue_ack_pending: total(metrics, `${L}queue_ack_pending`),
  };
}

/** Each worker's own breaker: merged, one open breaker among closed ones would hide. */
function breakerOf(snapshot: OpsMetricsSnapshot) {
  const value = total(snapshot.metrics, `${L}breaker_state`);
  return { instance: snapshot.instance, state: BREAKER[value] ?? 'closed' };
}

function incidentsOf(snapshots: OpsMetricsSnapshot[]): DashboardResponse['incidents'] {
  const byCode: Record<string, number> = {};
  for (const snapshot of snapshots) {
    for (const [code, count] of Object.entries(snapshot.incidents.by_code)) byCode[code] = (byCode[code] ?? 0) + count;
  }
  const recent = snapshots
    .flatMap((snapshot) => snapshot.incidents.recent.map((incident) => ({ ...incident, service: snapshot.service, instance: snapshot.instance })))
    .sort((a, b) => b.at.localeCompare(a.at));
  return { by_code: byCode, recent };
}
