import { counter, gauge, histogram, type Counter, type Registry } from '@chatbot/runtime';

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;

/** Label values are bound once per combination: the frame counters sit on the hot path. */
function bound(metric: Counter) {
  const children = new Map<string, ReturnType<Counter['labels']>>();
  return (...values: string[]) => {
    const key = values.join('\u0000');
    let child = children.get(key);
    if (!child) {
      child = metric.labels(...values);
      children.set(key, child);
    }
    child.inc();
  };
}

export function createGatewayMetrics(registry: Registry) {
  const framesIn = counter(registry, 'chatbot_gateway_frames_in_total', 'Client frames received, by kind', ['type']);
  const framesOut = counter(registry, 'chatbot_gateway_frames_out_total', 'Frames sent to clients, by type and protocol', ['type', 'protocol']);
  const errorFrames = counter(registry, 'chatbot_gateway_error_frames_total', 'Error frames sent, by catalogue code', ['code']);
  const dropped = counter(registry, 'chatbot_gateway_deliveries_dropped_total', 'Session deliveries not relayed, by reason', ['reason']);
  const rejected = counter(registry, 'chatbot_gateway_frames_rejected_total', 'Client frames refused (not published), by reason', ['reason']);
  const closed = counter(registry, 'chatbot_gateway_ws_closed_total', 'Closed sockets, by who or what closed them and the close code', ['reason', 'code']);
  const refused = counter(registry, 'chatbot_gateway_ws_upgrades_refused_total', 'WebSocket upgrades refused, by reason', ['reason']);
  return {
    connections: gauge(registry, 'chatbot_gateway_ws_connections', 'Open WebSocket connections'),
    sessions: gauge(registry, 'chatbot_gateway_sessions', 'Sessions held by this instance'),
    subscriptions: gauge(registry, 'chatbot_gateway_session_subscriptions', 'NATS subscriptions held for live sessions (one each: delivery and presence share it)'),
    frameIn: bound(framesIn),
    frameOut: bound(framesOut),
    errorFrame: bound(errorFrames),
    drop: bound(dropped),
    seqGaps: counter(registry, 'chatbot_gateway_seq_gaps_total', 'Frames that arrived past a gap in seq; the missing frames were fetched from chat-log first'),
    reject: bound(rejected),
    closed: bound(closed),
    refuseUpgrade: bound(refused),
    addresses: gauge(registry, 'chatbot_gateway_ws_addresses', 'Client addresses tracked for connection and rate limits'),
    timeouts: counter(registry, 'chatbot_gateway_reply_timeouts_total', 'Messages answered with the unavailable frame after REPLY_TIMEOUT_MS'),
    publishFailures: counter(registry, 'chatbot_gateway_publish_failures_total', 'Messages the broker did not accept'),
    replyLatency: histogram(registry, 'chatbot_gateway_reply_latency_seconds', 'From the broker ack of a message to its reply frame'),
    firstToken: histogram(registry, 'chatbot_gateway_time_to_first_token_seconds', 'From the broker ack of a message to its first delta'),
    http: histogram(registry, 'chatbot_gateway_http_request_duration_seconds', 'REST latency by route', ['method', 'route', 'status']),
  };
}
