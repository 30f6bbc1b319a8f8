import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { findOrphans, namespace, type Namespace } from '@chatbot/bus';
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

/** A message as a test reads it from the broker. */
export interface SeenMessage {
  seq: number;
  /** Without the namespace prefix. */
  subject: string;
  text(): string;
  json<T = unknown>(): T;
  header(name: string): string | undefined;
}

/**
 * A test's own connection to the broker, with the admin operations tests need and services never
 * do: read or change what a stream holds, take a stream away, watch a subject as a bystander.
 * Names are those of proto (streams) and of libs/bus (subjects without the prefix); the
 * namespace of the test file is applied here.
 */
export class BrokerAdmin {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly ns: Namespace,
  ) {}

  static async open(env: { natsUrl: string; prefix: string }): Promise<BrokerAdmin> {
    const nc = await connect({ servers: env.natsUrl, name: 'test-admin' });
    return new BrokerAdmin(nc, jetstream(nc), await jetstreamManager(nc), namespace(env.prefix));
  }

  /** Messages a stream holds, and its first and last sequence numbers. */
  async streamState(stream: StreamName): Promise<{ messages: number; firstSeq: number; lastSeq: number }> {
    const { state } = await this.jsm.streams.info(this.ns.stream(stream));
    return { messages: state.messages, firstSeq: state.first_seq, lastSeq: state.last_seq };
  }

  /** The message stored at `seq`, or null when the stream no longer holds it. */
  async stored(stream: StreamName, seq: number): Promise<SeenMessage | null> {
    const message = await this.jsm.streams.getMessage(this.ns.stream(stream), { seq }).catch(() => null);
    if (!message) return null;
    return seen(this.ns, { seq: message.seq, subject: message.subject, data: message.data, get: (name) => message.header?.get(name) || undefined });
  }

  /** Deletes a stream (what a broker restarted without its volume does); false if it was missing. */
  deleteStream(stream: StreamName): Promise<boolean> {
    return this.jsm.streams.delete(this.ns.stream(stream)).catch(() => false);
  }

  /** Deletes the stream behind a key-value bucket of libs/bus; false if it was missing. */
  deleteBucket(bucket: string): Promise<boolean> {
    return this.jsm.streams.delete(`KV_${this.ns.stream(bucket)}`).catch(() => false);
  }

  async purge(stream: StreamName): Promise<void> {
    await this.jsm.streams.purge(this.ns.stream(stream));
  }

  /** A durable pull consumer, for a test that plays a worker holding jobs without acknowledging them. */
  async addPullConsumer(stream: StreamName, durable: string, ackWaitMs: number): Promise<void> {
    const config = { durable_name: durable, ack_policy: AckPolicy.Explicit, ack_wait: ackWaitMs * 1_000_000, deliver_policy: DeliverPolicy.All };
    await this.jsm.consumers.add(this.ns.stream(stream), config);
  }

  /** Pulls one message for the durable (null if none came within `expiresMs`); acknowledge it with `ack`. */
  async pull(stream: StreamName, durable: string, expiresMs = 2_000): Promise<(SeenMessage & { ack(): void }) | null> {
    const consumer = await this.js.consumers.get(this.ns.stream(stream), durable);
    const msg = await consumer.next({ expires: expiresMs });
    if (!msg) return null;
    const view = seen(this.ns, { seq: msg.seq, subject: msg.subject, data: msg.data, get: (name) => msg.headers?.get(name) || undefined });
    return { ...view, ack: () => msg.ack() };
  }

  /** Publishes bytes that need not match any schema (an invalid payload, a placeholder job). */
  async publishRaw(subject: string, text: string): Promise<number> {
    return (await this.js.publish(this.ns.subject(subject), text)).seq;
  }

  /** Sees every message on `subject` (prefixed here; wildcards allowed) without answering any. */
  watch(subject: string, callback: (message: SeenMessage) => void): { unsubscribe(): void } {
    const sub = this.nc.subscribe(this.ns.subject(subject), {
      callback: (error, msg) => {
        if (!error) callback(seen(this.ns, { seq: 0, subject: msg.subject, data: msg.data, get: (name) => msg.headers?.get(name) || undefined }));
      },
    });
    return { unsubscribe: () => sub.unsubscribe() };
  }

  /** Resolves once the server has this connection's subscriptions. */
  flush(): Promise<void> {
    return this.nc.flush();
  }

  /** Whether anything subscribes to `subject`: a core request that finds no subscriber fails at once. */
  async hasSubscriber(subject: string, timeoutMs = 1_000): Promise<boolean> {
    try {
      await this.nc.request(this.ns.subject(subject), new Uint8Array(), { timeout: timeoutMs });
      return true;
    } catch (error) {
      if (/no responders/i.test((error as Error).message)) return false;
      return true; // a subscriber that never answers: the request timed out
    }
  }

  /**
   * Runs `body` while the stream refuses every message (each is larger than the 1-byte maximum it
   * is set to), then restores its config. Unlike deleting the stream, its consumers stay, and none
   * of them creates it again meanwhile.
   */
  async whileStreamRefuses<T>(stream: StreamName, body: () => Promise<T>): Promise<T> {
    const name = this.ns.stream(stream);
    const { config } = await this.jsm.streams.info(name);
    await this.jsm.streams.update(name, { ...config, max_msg_size: 1 });
    try {
      return await body();
    } finally {
      await this.jsm.streams.update(name, config);
    }
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}

/** Runs `body` with a fresh admin connection (see BrokerAdmin.whileStreamRefuses). */
export async function whileStreamRefuses<T>(env: { natsUrl: string; prefix: string }, stream: StreamName, body: () => Promise<T>): Promise<T> {
  const admin = await BrokerAdmin.open(env);
  try {
    return await admin.whileStreamRefuses(stream, body);
  } finally {
    await admin.close();
  }
}

const decoder = new TextDecoder();

function seen(ns: Namespace, raw: { seq: number; subject: string; data: Uint8Array; get(name: string): string | undefined }): SeenMessage {
  return {
    seq: raw.seq,
    subject: ns.strip(raw.subject),
    text: () => decoder.decode(raw.data),
    json: <T>() => JSON.parse(decoder.decode(raw.data)) as T,
    header: (name) => raw.get(name),
  };
}
