import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { streams, type StreamName } from '@chatbot/proto';
import type { Namespace } from './namespace';

const ms = (value: number) => value * 1_000_000; // JetStream durations are nanoseconds

export function isNotFound(error: unknown): boolean {
  return /not found/i.test((error as Error)?.message ?? '');
}

/**
 * Creates or updates the named streams so their config matches `proto` (idempotent). Services start
 * together and each creates the streams it finds missing; nats-server 2.9 can fail one of two
 * simultaneous creates ("error creating store for stream", seen once in the chaos itests), and the
 * stream exists afterwards: a failed create is followed by another look.
 */
export async function ensureStreams(jsm: JetStreamManager, ns: Namespace, names: StreamName[]) {
  for (const name of names) await ensureStream(jsm, streamConfig(ns, name));
}

function streamConfig(ns: Namespace, name: StreamName) {
  const spec = streams[name];
  return {
    name: ns.stream(name),
    subjects: spec.subjects.map((subject) => ns.subject(subject)),
    retention: spec.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: ms(spec.maxAgeMs),
    duplicate_window: ms(spec.duplicateWindowMs),
    allow_direct: true,
    num_replicas: 1,
    description: spec.description,
  };
}

const CREATE_ATTEMPTS = 3;

async function ensureStream(jsm: JetStreamManager, config: ReturnType<typeof streamConfig>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await jsm.streams.info(config.name);
      await jsm.streams.update(config.name, config);
      return;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    try {
      await jsm.streams.add(config);
      return;
    } catch (error) {
      if (attempt >= CREATE_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

export interface ConsumerSpec {
  stream: StreamName;
  durable: string;
  /** How long a delivered message may go unacknowledged before it is redelivered. */
  ackWaitMs: number;
  /** Deliveries after which the broker gives up (a poison message); -1 for no limit. */
  maxDeliver: number;
  /** In-flight messages across every replica of the consumer. */
  maxAckPending: number;
}

/** Creates or updates a durable pull consumer (idempotent, safe from every replica at once). */
export async function ensureConsumer(jsm: JetStreamManager, ns: Namespace, spec: ConsumerSpec) {
  const stream = ns.stream(spec.stream);
  const config = {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    ack_wait: ms(spec.ackWaitMs),
    max_deliver: spec.maxDeliver,
    max_ack_pending: spec.maxAckPending,
  };
  try {
    await jsm.consumers.info(stream, spec.durable);
    await jsm.consumers.update(stream, spec.durable, config);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.consumers.add(stream, { ...config, deliver_policy: DeliverPolicy.All });
  }
}
