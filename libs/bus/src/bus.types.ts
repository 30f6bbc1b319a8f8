import type { Logger, TraceContext } from '@chatbot/runtime';

/** The shapes the Bus's methods take and give, apart from the Bus itself. */

export interface BusOptions {
  url: string;
  prefix: string;
  /** Connection name shown by the NATS server (service and instance). */
  name: string;
  logger: Logger;
}

export interface PublishOptions {
  correlationId?: string;
  /** JetStream de-duplication key (Nats-Msg-Id). */
  msgId?: string;
  /** How long a JetStream publish waits for the broker's ack (up to 0.1 s more); 5 s when left out. */
  timeoutMs?: number;
  /** The trace this message continues (a delivery's `trace`); the active span's when left out. */
  trace?: TraceContext;
}

export interface EventContext {
  subject: string;
  token: string;
  correlationId: string;
  /** The JetStream de-duplication id (Nats-Msg-Id) it was published with, if any. */
  msgId?: string;
}

/** What the broker answered to a JetStream publish. */
export interface Published {
  /** Its sequence number in the stream. */
  seq: number;
  /** The broker already had a message with this de-duplication id, and kept that one. */
  duplicate: boolean;
}

/** A core-NATS subscription of this bus. */
export interface Listening {
  /** Stops delivering at once. */
  unsubscribe(): void;
}
