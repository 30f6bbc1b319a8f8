import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { events, subjectOf, type EventKey, type EventPayload, type StreamName } from '@chatbot/proto';
import type { IncidentLog, Logger } from '@chatbot/runtime';
import { decodeJson } from './codec';
import type { Namespace } from './namespace';

/**
 * The connection and its JetStream views, as the modules of this library use them. The Bus keeps
 * it private and passes it down, so the modules depend on this file and not on the Bus (imports
 * point one way: bus → consumers / request-reply / delivery / orphans → wire). Never exported
 * from the package: services get named operations of the Bus instead.
 */
export interface Wire {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  ns: Namespace;
  logger: Logger;
  /** The errors this process answered with an incident id (request-reply records them). */
  incidents: IncidentLog;
}

/** The full (prefixed) subject of a proto subject, for one token or none. */
export function subjectFor(ns: Namespace, def: { name: string; token: 'session' | null }, token?: string): string {
  return ns.subject(subjectOf(def, token));
}

/** Validation with a log line naming the subject; undefined for a message that does not match. */
export function parseEvent<K extends EventKey>(logger: Logger, key: K, msg: { subject: string; data: Uint8Array }): EventPayload<K> | undefined {
  const parsed = events[key].schema.safeParse(decodeJson(msg.data));
  if (parsed.success) return parsed.data as EventPayload<K>;
  logger.warn({ subject: msg.subject, issues: parsed.error.issues.slice(0, 3) }, 'dropped invalid message');
  return undefined;
}

/** The JetStream stream an event is stored in; throws for a core-NATS event. */
export function streamOf(key: EventKey): StreamName {
  const stream = events[key].stream;
  if (!stream) throw new Error(`${events[key].name} is not a JetStream subject`);
  return stream;
}

/**
 * The one wildcard that matches both subjects and little else: they must differ in exactly one
 * token (`gw.deliver.v1.<sid>`, `gw.presence.v1.<sid>` → `gw.*.v1.<sid>`).
 */
export function sharedPattern(first: string, second: string): string {
  const [a, b] = [first.split('.'), second.split('.')];
  const differing = a.flatMap((token, index) => (token === b[index] ? [] : [index]));
  if (a.length !== b.length || differing.length !== 1) throw new Error(`no one-token wildcard covers ${first} and ${second}`);
  return a.map((token, index) => (index === differing[0] ? '*' : token)).join('.');
}
