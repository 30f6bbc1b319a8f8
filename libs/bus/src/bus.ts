import { jetstream, jetstreamManager, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import {
  events,
  requests,
  patternOf,
  type EventKey,
  type EventPayload,
  type RequestKey,
  type RequestPayload,
  type ResponsePayload,
  type ServiceName,
  type StreamName,
} from '@chatbot/proto';
import { IncidentLog, instanceId, ownMetrics, runIn, type Logger, type Registry } from '@chatbot/runtime';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { connectNats } from './connection';
import { correlationOf, decodeJson, encodeJson, headersWith } from './codec';
import { keyValueOf, type KeyValue } from './buckets/kv';
import { objectBucketOf, type ObjectBucket } from './buckets/object-store';
import { namespace, type Namespace } from './namespace';
import { SendQueue } from './send.queue';
import { AckInbox } from './ack.inbox';
import { ensureStreams, isNotFound, type ConsumerSpec } from './topology';
import { answer, serveRequests, callRequest, gatherRequests, type RequestHandler, type RequestOptions } from './request-reply';
import { consumeBatches, consumeJobs, type BatchHandler, type JobHandler, type BatchOptions, type JobOptions, type ConsumerHandle } from './consumers';
import { backlogOf, oldestOnSubject, orphanSweep, purgeSubject, removeMessage, requeue, type ConsumerBacklog, type Durable, type QueuedMessage } from './work-queue/work-queue';
import { parseEvent, sharedPattern, streamOf, subjectFor, type Wire } from './wire';
import { spanForIncoming } from './trace';
import { follow, type Followed, type Following } from './follow';
import type { BusOptions, EventContext, Listening, PublishOptions, Published } from './bus.types';

const DRAIN_TIMEOUT_MS = 5_000;
const PUBLISH_TIMEOUT_MS = 5_000;
/** The header JetStream de-duplicates by. */
const MSG_ID_HEADER = 'Nats-Msg-Id';

/** The typed bus: every subject, payload and response type comes from `@chatbot/proto`. */
export class Bus {
  private readonly subscriptions = new Set<{ stop(graceMs?: number): Promise<void> }>();
  private readonly sends = new SendQueue();
  private readonly wire: Wire;
  private readonly acks: AckInbox;

  private constructor(
    nc: NatsConnection,
    jsm: JetStreamManager,
    readonly ns: Namespace,
    readonly logger: Logger,
    private readonly connection: { since: number },
  ) {
    this.wire = { nc, js: jetstream(nc), jsm, ns, logger, incidents: new IncidentLog() };
    this.acks = new AckInbox(nc);
  }

  static async connect(options: BusOptions): Promise<Bus> {
    const connection = { since: 0 };
    const nc = await connectNats({ ...options, onReconnect: () => (connection.since = Date.now()) });
    connection.since = Date.now();
    const jsm = await jetstreamManager(nc);
    return new Bus(nc, jsm, namespace(options.prefix), options.logger, connection);
  }

  /**
   * When this connection last (re)connected: what a broker did before then may be lost (a
   * nats-server killed with -9 forgets its last writes), and what it did since was seen live.
   */
  get connectedSince(): Date {
    return new Date(this.connection.since);
  }

  subject(def: { name: string; token: 'session' | null }, token?: string): string {
    return subjectFor(this.ns, def, token);
  }

  ensureStreams(names: StreamName[]): Promise<void> {
    return ensureStreams(this.wire.jsm, this.ns, names);
  }

  /**
   * Publishes an event: to JetStream (awaiting the broker's ack) or core NATS, as proto says.
   * Publishes leave together at the end of the event-loop turn, in call order (SendQueue).
   */
  publish<K extends EventKey>(key: K, token: string, payload: EventPayload<K>, options: PublishOptions = {}): Promise<Published | undefined> {
    const def = events[key];
    const subject = this.subject(def, token);
    const data = encodeJson(payload);
    const headers = headersWith(options.correlationId, options.trace);
    const { nc } = this.wire;
    if (def.stream === null) return this.sends.defer(() => void nc.publish(subject, data, { headers }));
    if (options.msgId) headers.set(MSG_ID_HEADER, options.msgId);
    return this.sends.defer(() => this.acks.publish(subject, data, headers, options.timeoutMs ?? PUBLISH_TIMEOUT_MS));
  }

  /**
   * Every event of a limits stream after `afterSeq` (null: from now on), then the new ones as they
   * come, in stream order, each with its stream sequence (see follow.ts). Stop it when done.
   */
  follow<K extends EventKey>(key: K, afterSeq: number | null, handler: (event: Followed<K>) => void): Promise<Following> {
    return follow(this.wire, key, afterSeq, handler);
  }

  /** Core-NATS subscription to a non-durable event on one token (or every token with `*`). */
  subscribe<K extends EventKey>(
    key: K,
    token: string,
    handler: (payload: EventPayload<K>, context: EventContext) => void,
  ): Listening {
    const def = events[key];
    const subject = token === '*' ? this.ns.subject(patternOf(def)) : this.subject(def, token);
    const sub = this.wire.nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error) return;
        this.dispatchEvent(def, msg, handler as never);
      },
    });
    return { unsubscribe: () => sub.unsubscribe() };
  }

  /**
   * A token's event and its request (a socket's session deliveries and presence) on one core-NATS
   * subscription: their subjects differ in one token, so one wildcard covers both, and a holder of
   * thousands of tokens keeps one subscription each, not two (each costs about 1.3 KB here).
   * Nothing else is answered or delivered; unsubscribe stops both at once.
   */
  attend<E extends EventKey, R extends RequestKey>(
    token: string,
    on: { event: E; handler: (payload: EventPayload<E>, context: EventContext) => void; request: R; responder: RequestHandler<R> },
  ): Listening {
    const eventDef = events[on.event];
    const eventSubject = this.subject(eventDef, token);
    const requestSubject = this.subject(requests[on.request], token);
    const sub = this.wire.nc.subscribe(sharedPattern(eventSubject, requestSubject), {
      callback: (error, msg) => {
        if (error) return;
        if (msg.subject === eventSubject) this.dispatchEvent(eventDef, msg, on.handler as never);
        else if (msg.subject === requestSubject) void answer(this.wire, on.request, on.responder, msg);
      },
    });
    return { unsubscribe: () => sub.unsubscribe() };
  }

  private dispatchEvent(
    def: (typeof events)[EventKey],
    msg: Msg,
    handler: (payload: unknown, context: EventContext) => void,
  ) {
    const parsed = def.schema.safeParse(decodeJson(msg.data));
    if (!parsed.success) {
      this.logger.warn({ subject: msg.subject, issues: parsed.error.issues.slice(0, 3) }, 'dropped invalid event');
      return;
    }
    const subject = this.ns.strip(msg.subject);
    const token = subject.slice(subject.lastIndexOf('.') + 1);
    const msgId = msg.headers?.get(MSG_ID_HEADER) || undefined;
    const span = spanForIncoming('process', def.name, msg);
    try {
      runIn(span?.context, () => handler(parsed.data, { subject, token, correlationId: correlationOf(msg.headers), msgId }));
    } finally {
      span?.end();
    }
  }

  /**
   * Answers a request subject in the owner's queue group; errors become the error envelope.
   * The handle stops this responder alone (a per-session responder ends with its socket).
   */
  serve<K extends RequestKey>(key: K, handler: RequestHandler<K>, token?: string): { stop(): Promise<void> } {
    const responder = serveRequests(this.wire, key, handler, token);
    const handle = {
      stop: async () => {
        this.subscriptions.delete(handle);
        await responder.stop();
      },
    };
    this.subscriptions.add(handle);
    return handle;
  }

  /** Sends a request and returns the typed response, or throws an AppError with its code. */
  request<K extends RequestKey>(
    key: K,
    payload: RequestPayload<K>,
    options: RequestOptions = {},
  ): Promise<ResponsePayload<K>> {
    return callRequest(this.wire, key, payload, options);
  }

  /**
   * Asks every instance that answers an `everyInstance` request and returns the answers that came
   * within `windowMs` (none when nobody answers).
   */
  gather<K extends RequestKey>(key: K, payload: RequestPayload<K>, options: { windowMs: number; correlationId?: string }): Promise<Array<ResponsePayload<K>>> {
    return gatherRequests(this.wire, key, payload, options);
  }

  /**
   * The errors this process answered with an incident id: the bus records those of the requests
   * it serves; a service records its own (a REST 5xx, a failed model call) with `incidents.open`.
   */
  get incidents(): IncidentLog {
    return this.wire.incidents;
  }

  /** Answers `ops.metrics.v1` for this instance: the service's own metrics and its incidents. */
  serveOpsMetrics(service: ServiceName, registry: Registry): { stop(): Promise<void> } {
    const instance = instanceId();
    return this.serve('opsMetrics', async () => ({
      service,
      instance,
      at: new Date().toISOString(),
      metrics: await ownMetrics(registry),
      incidents: this.wire.incidents.snapshot(),
    }));
  }

  /** A durable consumer that hands over micro-batches, in stream order, one batch at a time. */
  consumeBatches<K extends EventKey>(key: K, spec: ConsumerSpec, options: BatchOptions, handler: BatchHandler<K>): Promise<ConsumerHandle> {
    return this.track(consumeBatches(this.wire, key, spec, options, handler));
  }

  /** A durable work-queue consumer that pulls only as many jobs as it has free slots. */
  consumeJobs<K extends EventKey>(key: K, spec: ConsumerSpec, options: JobOptions, handler: JobHandler<K>): Promise<ConsumerHandle> {
    return this.track(consumeJobs(this.wire, key, spec, options, handler));
  }

  private async track(handle: Promise<ConsumerHandle>): Promise<ConsumerHandle> {
    const h = await handle;
    this.subscriptions.add(h);
    return h;
  }

  /** Readiness probe: a round trip to the server, in milliseconds. */
  async ping(): Promise<string> {
    const rtt = await this.wire.nc.rtt();
    return `up (${rtt.toFixed(1)} ms)`;
  }

  /** Resolves once the server has processed everything sent so far (subscriptions included). */
  flush(): Promise<void> {
    return this.wire.nc.flush();
  }

  /** Whether the connection is closed for good (after close()). */
  get closed(): boolean {
    return this.wire.nc.isClosed();
  }

  /**
   * Follows the connection: `listener(false)` when it drops or goes stale (missed pings; the
   * client then reconnects), `listener(true)` after each reconnect.
   */
  onLinkChange(listener: (up: boolean) => void): void {
    void (async () => {
      for await (const status of this.wire.nc.status()) {
        if (status.type === 'disconnect' || status.type === 'staleConnection') listener(false);
        else if (status.type === 'reconnect') listener(true);
      }
    })();
  }

  /** A JetStream key-value bucket (created if missing) whose entries expire after `ttlMs` (0: never). */
  async kv(bucket: string, ttlMs: number): Promise<KeyValue> {
    return keyValueOf(await new Kvm(this.wire.nc).create(this.ns.stream(bucket), { ttl: ttlMs, history: 1 }));
  }

  /**
   * A JetStream object-store bucket (created if missing), on file storage with one replica like
   * every stream of the system; `maxBytes` bounds what it may hold (0: no bound).
   */
  async objectBucket(bucket: string, maxBytes = 0): Promise<ObjectBucket> {
    const name = this.ns.stream(bucket);
    const os = await new Objm(this.wire.nc).create(name, { storage: StorageType.File, replicas: 1, ...(maxBytes > 0 ? { max_bytes: maxBytes } : {}) });
    return objectBucketOf(os, this.wire.js, this.wire.jsm, name);
  }

  /**
   * The bucket created again when the broker lost it (a NATS restarted without its volume, the
   * bucket deleted by hand), or null while it still has it. A lost bucket does not say so: its
   * reads and writes only time out, so a failed one is followed by this look.
   */
  async reopenKvIfLost(bucket: string, ttlMs: number): Promise<KeyValue | null> {
    try {
      await this.wire.jsm.streams.info(`KV_${this.ns.stream(bucket)}`);
      return null;
    } catch (error) {
      if (!isNotFound(error)) throw error;
      return this.kv(bucket, ttlMs);
    }
  }

  /** A durable consumer's backlog: not delivered yet, delivered and unacknowledged, and more. */
  consumerBacklog(consumer: Durable): Promise<ConsumerBacklog> {
    return backlogOf(this.wire, consumer);
  }

  /**
   * The oldest message still in the stream of `key` on that event's subject for `token` (a
   * session's head in a work queue), or null when there is none.
   */
  async oldestQueued<K extends EventKey>(key: K, token: string): Promise<QueuedMessage | null> {
    return oldestOnSubject(this.wire, streamOf(key), `${events[key].name}.${token}`);
  }

  /**
   * Removes from the stream of `key` every message the broker still keeps on that event's subject
   * for `token` (a deleted session's messages, which a stream with limits retention keeps for its
   * max age after they were read). Returns how many were removed.
   */
  purgeEvents<K extends EventKey>(key: K, token: string): Promise<number> {
    return purgeSubject(this.wire, streamOf(key), `${events[key].name}.${token}`);
  }

  /** Publishes a stored message again at the end of its stream and removes the old copy (see orphans.ts). */
  requeue(consumer: Durable, seq: number): Promise<void> {
    return requeue(this.wire, consumer, seq);
  }

  /** Removes a stored message from a stream; false when it was gone already. */
  removeQueued(stream: StreamName, seq: number): Promise<boolean> {
    return removeMessage(this.wire, stream, seq);
  }

  /**
   * A sweep that requeues what the broker keeps at or below the consumer's ack floor and will
   * never deliver (left by a broker crash); call it every ORPHAN_SWEEP_MS. Returns how many it requeued.
   */
  orphanSweep(consumer: Durable): () => Promise<number> {
    return orphanSweep(this.wire, consumer);
  }

  /**
   * Stop consuming (jobs still running after `graceMs` are released to other replicas), wait for
   * in-flight handlers, then drain the connection.
   */
  async close(graceMs?: number): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop(graceMs)));
    this.subscriptions.clear();
    this.sends.runQueued();
    const { nc } = this.wire;
    if (nc.isClosed()) return;
    // A drain needs the server; with the server gone it would wait for a reconnect forever.
    const drained = nc.drain().then(() => true, () => true);
    const gaveUp = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), DRAIN_TIMEOUT_MS).unref());
    if (!(await Promise.race([drained, gaveUp]))) await nc.close();
  }

  /** Parses a message of `key` (one a queue holds, say); undefined, with a log line, when it does not match. */
  parse<K extends EventKey>(key: K, msg: { subject: string; data: Uint8Array }): EventPayload<K> | undefined {
    return parseEvent(this.logger, key, msg);
  }
}

/** The bus's connection, for this library's own integration tests; not exported from the package. */
export function wireOf(bus: Bus): Wire {
  return bus['wire'];
}

/**
 * Drops the connection and connects again, as a broker restart does (for tests of what happens
 * after a reconnect). Exported for tests only: a service has no reason to call it.
 */
export function reconnectForTests(bus: Bus): Promise<void> {
  return bus['wire'].nc.reconnect();
}
