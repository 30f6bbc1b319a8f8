import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { injectTrace, type TraceContext } from '@chatbot/runtime';

const decoder = new TextDecoder();

/**
 * Buffer.from, not TextEncoder: a small Buffer is cut from Node's shared pool, where TextEncoder
 * allocates an ArrayBuffer per call (about twice the CPU for a message of a few hundred bytes).
 */
export const encodeJson = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));

/** Parses JSON; returns `undefined` for bytes that are not JSON so callers can drop them. */
export function decodeJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(data));
  } catch {
    return undefined;
  }
}

/** The header that carries one id from the WebSocket frame to the last log line. */
export const CORRELATION_HEADER = 'Correlation-Id';

export function correlationOf(headers: MsgHdrs | undefined): string {
  return headers?.get(CORRELATION_HEADER) || randomUUID();
}

/** The correlation id, and the trace context of `trace` or of the active span when tracing is on. */
export function headersWith(correlationId: string | undefined, trace?: TraceContext): MsgHdrs {
  const h = natsHeaders();
  h.set(CORRELATION_HEADER, correlationId ?? randomUUID());
  injectTrace((name, value) => h.set(name, value), trace);
  return h;
}
