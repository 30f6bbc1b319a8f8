import type { MsgHdrs } from '@nats-io/transport-node';
import { extractTrace, openSpan, tracingOn, type OpenSpan } from '@chatbot/runtime';

/**
 * W3C trace context over NATS: outgoing messages carry `traceparent` in their headers (codec.ts),
 * and each incoming one is handled inside a span that continues it. With tracing off (no OTLP
 * endpoint) this returns undefined at its first line and no header is read.
 */
export function spanForIncoming(
  operation: 'process' | 'serve',
  name: string,
  msg: { subject: string; headers?: MsgHdrs },
): OpenSpan | undefined {
  if (!tracingOn()) return undefined;
  const parent = extractTrace((header) => msg.headers?.get(header));
  return openSpan(`${operation} ${name}`, {
    parent,
    role: operation === 'serve' ? 'server' : 'consumer',
    attributes: {
      'messaging.system': 'nats',
      'messaging.operation.type': 'process',
      'messaging.destination.template': name,
      'messaging.destination.name': msg.subject,
    },
  });
}
