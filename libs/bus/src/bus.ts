import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type PubAck } from '@nats-io/jetstream';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  events,
  requests,
  subjectOf,
  patternOf,
  type EventKey,
  type EventPayload,
  type RequestKey,
  type RequestPayload,
  type ResponsePayload,
  type StreamName,
} from '@chatbot/proto';
import { AppError, type Logger } from '@chatbot/runtime';
import { Kvm, type KV } from '@nats-io/kv';
import { connectNats } from './connection';
import { correlationOf, decodeJson, encodeJson, headersWith } from './codec';
import { namespace, type Namespace } from './namespace';
import { SendQueue } from './send.queue';
import { ensureStreams, isNotFound } from './topology';
import { serveRequests, callRequest, type RequestHandler, type RequestOptions } from './request-reply';
import { consumeBatches, consumeJobs, type BatchHandler, type JobHandler, type BatchOptions, type JobOptions, type ConsumerHandle } from './consumers';
import type { ConsumerSpec } from './topology';

const DRAIN_TIMEOUT_MS = 5_000;

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
}

export interface EventContext {
  subject: string;
  token: string;
  correlationId: string;
}

/** The typed bus: every subject, payload and response type comes from `@chatbot/proto`. */
export class Bus {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  private readonly subscriptions = new Set<{ stop(graceMs?: number): Promise<void> }>();
  private readonly sends = new SendQueue();

  private constructor(
    readonly nc: NatsConnection,
    jsm: JetStreamManager,
    readonly ns: Namespace,
    readonly logger: Logger,
    private readonly connection: { since: number },
  ) {
    this.jsm = jsm;
    this.js = jetstream(nc);
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
    return this.ns.subject(subjectOf(def, token));
  }

  ensureStreams(names: StreamName[]): Promise<void> {
    return ensureStreams(this.jsm, this.ns, names);
  }

  /**
   * Publishes an event: to JetStream (awaiting the broker's ack) or core NATS, as proto says.
   * Publishes leave together at the end of the event-loop turn, in call order (SendQueue).
   */
  publish<K extends EventKey>(key: K, token: string, payload: EventPayload<K>, options: PublishOptions = {}): Promise<PubAck | undefined> {
    const def = events[key];
    const subject = this.subject(def, token);
    const data = encodeJson(payload);
    const headers = headersWith(options.correlationId);
    if (def.stream === null) return this.sends.defer(() => void this.nc.publish(subject, data, { headers }));
    return this.sends.defer(() => this.js.publish(subject, data, { headers, msgID: options.msgId, timeout: 5_000 }));
  }

  /** Core-NATS subscription to a non-durable event on one token (or every token with `*`). */
  subscribe<K extends EventKey>(
    key: K,
    token: string,
    handler: (payload: EventPayload<K>, context: EventContext) => void,
  ): Subscription {
    const def = events[key];
    const subject = token === '*' ? this.ns.subject(patternOf(def)) : this.subject(def, token);
    return this.nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error) return;
        this.dispatchEvent(def.schema, msg, handler as never);
      },
    });
  }

  private dispatchEvent(
    schema: (typeof events)[EventKey]['schema'],
    msg: Msg,
    handler: (payload: unknown, context: EventContext) => void,
  ) {
    const parsed = schema.safeParse(decodeJson(msg.data));
    if (!parsed.success) {
      this.logger.warn({ subject: msg.subject, issues: parsed.error.issues.slice(0, 3) }, 'dropped invalid event');
      return;
    }
    const subject = this.ns.strip(msg.subject);
    const token = subject.slice(subject.lastIndexOf('.') + 1);
    handler(parsed.data, { subject, token, correlationId: correlationOf(msg.headers) });
  }

  /**
   * Answers a request subject in the owner's queue group; errors become the error envelope.
   * The handle stops this responder alone (a per-session responder ends with its socket).
   */
  serve<K extends RequestKey>(key: K, handler: RequestHandler<K>, token?: string): { stop(): Promise<void> } {
    const responder = serveRequests(this, key, handler, token);
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
    return callRequest(this, key, payload, options);
  }

  /** A durable consumer that hands over micro-batches, in stream order, one batch at a time. */
  consumeBatches<K extends EventKey>(key: K, spec: ConsumerSpec, options: BatchOptions, handler: BatchHandler<K>): Promise<ConsumerHandle> {
    return this.track(consumeBatches(this, key, spec, options, handler));
  }

  /** A durable work-queue consumer that pulls only as many jobs as it has free slots. */
  consumeJobs<K extends EventKey>(key: K, spec: ConsumerSpec, options: JobOptions, handler: JobHandler<K>): Promise<ConsumerHandle> {
    return this.track(consumeJobs(this, key, spec, options, handler));
  }

  private async track(handle: Promise<ConsumerHandle>): Promise<ConsumerHandle> {
    const h = await handle;
    this.subscriptions.add(h);
    return h;
  }

  /** Readiness probe: a round trip to the server, in milliseconds. */
  async ping(): Promise<string> {
    const rtt = await this.nc.rtt();
    return `up (${rtt.toFixed(1)} ms)`;
  }

  /** A JetStream key-value bucket (created if missing) whose entries expire after `ttlMs`. */
  async kv(bucket: string, ttlMs: number): Promise<KV> {
    return new Kvm(this.nc).create(this.ns.stream(bucket), { ttl: ttlMs, history: 1 });
  }

  /**
   * The bucket created again when the broker lost it (a NATS restarted without its volume, the
   * bucket deleted by hand), or null while it still has it. A lost bucket does not say so: its
   * reads and writes only time out, so a failed one is followed by this look.
   */
  async reopenKvIfLost(bucket: string, ttlMs: number): Promise<KV | null> {
    try {
      await this.jsm.streams.info(`KV_${this.ns.stream(bucket)}`);
      return null;
    } catch (error) {
      if (!isNotFound(error)) throw error;
      return this.kv(bucket, ttlMs);
    }
  }

  /**
   * Stop consuming (jobs still running after `graceMs` are released to other replicas), wait for
   * in-flight handlers, then drain the connection.
   */
  async close(graceMs?: number): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop(graceMs)));
    this.subscriptions.clear();
    this.sends.runQueued();
    if (this.nc.isClosed()) return;
    // A drain needs the server; with the server gone it would wait for a reconnect forever.
    const drained = this.nc.drain().then(() => true, () => true);
    const gaveUp = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), DRAIN_TIMEOUT_MS).unref());
    if (!(await Promise.race([drained, gaveUp]))) await this.nc.close();
  }

  /** Shared by consumers and request handlers: validation with a log line naming the subject. */
  parse<K extends EventKey>(key: K, msg: { subject: string; data: Uint8Array }): EventPayload<K> | undefined {
    const parsed = events[key].schema.safeParse(decodeJson(msg.data));
    if (parsed.success) return parsed.data as EventPayload<K>;
    this.logger.warn({ subject: msg.subject, issues: parsed.error.issues.slice(0, 3) }, 'dropped invalid message');
    return undefined;
  }
}

export { requests, AppError };
