import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { findOrphans, type Bus } from '@chatbot/bus';
import type { StreamName } from '@chatbot/proto';

/**
 * Narrows a stream's duplicate window (`Nats-Msg-Id` dedupe), so a test sees in seconds what
 * production sees once the window (minutes) has passed: a late copy the broker no longer drops,
 * which only the services' own idempotency can stop. Services restore the window from `proto`
 * when they start (ensureStreams), so call it after the last start.
 */
export async function setDuplicateWindow(natsUrl: string, stream: string, windowMs: number): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(stream);
    await jsm.streams.update(stream, { ...info.config, duplicate_window: windowMs * 1_000_000 });
  } finally {
    await nc.close();
  }
}

/** A work-queue stream as its consumer sees it, to find jobs the broker will never deliver again. */
export interface WorkQueueState {
  /** Messages still in the stream. */
  messages: number;
  /** Highest stream seq the consumer counts as acknowledged (everything at or below it). */
  ackFloor: number;
  ackPending: number;
  /** Deliveries made so far: a number far above the messages ever published means a redelivery loop. */
  delivered: number;
  /**
   * Messages still stored at or below the ack floor: the consumer will not deliver them again,
   * yet a work-queue stream keeps a message only until it is acknowledged.
   */
  orphans: number[];
}

/** What the product's orphan sweep would find (libs/bus findOrphans), with the consumer's counters. */
export async function inspectWorkQueue(natsUrl: string, stream: string, durable: string): Promise<WorkQueueState> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(stream);
    const consumer = await jsm.consumers.info(stream, durable);
    const orphans = await findOrphans({ jsm, stream, durable });
    return { messages: state.messages, ackFloor: consumer.ack_floor.stream_seq, ackPending: consumer.num_ack_pending, delivered: consumer.delivered.consumer_seq, orphans };
  } finally {
    await nc.close();
  }
}

/** The JetStream name of a proto stream under a NATS prefix (as libs/bus names it). */
export function prefixedStream(prefix: string, stream: string): string {
  return prefix ? `${prefix.toUpperCase().replaceAll('-', '_')}_${stream}` : stream;
}

/**
 * Runs `body` while the stream refuses every message (each is larger than the 1-byte maximum it
 * is set to), then restores its config. Unlike deleting the stream, its consumers stay, and none
 * of them creates it again meanwhile.
 */
export async function whileStreamRefuses<T>(bus: Bus, name: StreamName, body: () => Promise<T>): Promise<T> {
  const stream = bus.ns.stream(name);
  const { config } = await bus.jsm.streams.info(stream);
  await bus.jsm.streams.update(stream, { ...config, max_msg_size: 1 });
  try {
    return await body();
  } finally {
    await bus.jsm.streams.update(stream, config);
  }
}
