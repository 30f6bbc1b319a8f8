import type { JsMsg } from '@nats-io/jetstream';
import { events, type EventKey, type EventPayload } from '@chatbot/proto';
import type { TraceContext } from '@chatbot/runtime';
import { correlationOf } from './codec';
import { spanForIncoming } from './trace';
import { parseEvent, type Wire } from './wire';

/** A JetStream message with its payload parsed, and acknowledgement that happens at most once. */
export interface Delivery<T> {
  payload: T;
  subject: string;
  /** Last subject token: the session id for session subjects. */
  token: string;
  streamSeq: number;
  deliveryCount: number;
  correlationId: string;
  /**
   * The span of its handling (from delivery to settlement), continuing the publisher's trace;
   * pass it as `trace` to what is published for it. Undefined with tracing off.
   */
  trace?: TraceContext;
  settled: boolean;
  ack(): void;
  /** Redeliver later (after `delayMs`). */
  nak(delayMs?: number): void;
  /** Never redeliver (log the reason yourself). */
  term(): void;
  /** Tell the broker the work is still going (resets the ack deadline). */
  working(): void;
}

export function toDelivery<K extends EventKey>(wire: Pick<Wire, 'ns' | 'logger'>, key: K, msg: JsMsg): Delivery<EventPayload<K>> | undefined {
  const payload = parseEvent(wire.logger, key, msg);
  if (payload === undefined) {
    msg.term(); // no reason: nats-server 2.9 ignores a TERM that carries one
    return undefined;
  }
  const subject = wire.ns.strip(msg.subject);
  const span = spanForIncoming('process', events[key].name, msg);
  const delivery: Delivery<EventPayload<K>> = {
    payload,
    subject,
    token: subject.slice(subject.lastIndexOf('.') + 1),
    streamSeq: msg.info.streamSequence,
    deliveryCount: msg.info.deliveryCount,
    correlationId: correlationOf(msg.headers),
    trace: span?.context,
    settled: false,
    ack() {
      if (settle()) msg.ack();
    },
    nak(delayMs) {
      if (settle()) msg.nak(delayMs);
    },
    term() {
      // nats-server 2.9 ignores `+TERM <reason>` and redelivers; callers log the reason instead.
      if (settle()) msg.term();
    },
    working() {
      if (!delivery.settled) msg.working();
    },
  };
  function settle(): boolean {
    if (delivery.settled) return false;
    delivery.settled = true;
    span?.end();
    return true;
  }
  return delivery;
}
