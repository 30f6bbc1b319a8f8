import type { ConsumerMessages, ConsumerNotification, JsMsg } from '@nats-io/jetstream';
import { runIn, type Logger } from '@chatbot/runtime';
import type { EventKey, EventPayload } from '@chatbot/proto';
import { streamOf, type Wire } from './wire';
import { toDelivery, type Delivery } from './delivery';
import { ensureConsumer, ensureStreams, isNotFound, type ConsumerSpec } from './topology';

export type BatchHandler<K extends EventKey> = (batch: Delivery<EventPayload<K>>[]) => Promise<void>;
export type JobHandler<K extends EventKey> = (job: Delivery<EventPayload<K>>) => Promise<void>;

export interface BatchOptions {
  maxBatch: number;
  /** First retry delay after the handler threw (the dependency is probably down); doubles to 5 s. */
  retryDelayMs?: number;
}

export interface JobOptions {
  concurrency: number;
  /** Interval of in-progress acks while a job runs; keep it well under ackWait. */
  heartbeatMs: number;
  /** Redelivery delay after a failed job, grows with the delivery count. */
  retryDelayMs?: number;
}

export interface ConsumerHandle {
  /**
   * Stop pulling and wait for in-flight work. Jobs still running after `graceMs` are released
   * (nak'ed, so another replica takes them at once) and the wait ends.
   */
  stop(graceMs?: number): Promise<void>;
}

/** Lifetime of one pull request, and so the longest a consumer waits to re-pull after a broker restart. */
const PULL_EXPIRES_MS = 5_000;

/**
 * Messages are collected as they arrive and handed over in micro-batches: one at a time when
 * traffic is light (low latency), up to `maxBatch` under load (one DB round trip for many).
 * Batches run one after another, so stream order is kept.
 */
export async function consumeBatches<K extends EventKey>(
  bus: Wire,
  key: K,
  spec: ConsumerSpec,
  options: BatchOptions,
  handler: BatchHandler<K>,
): Promise<ConsumerHandle> {
  await ensureConsumer(bus.jsm, bus.ns, spec);
  const consumer = await bus.js.consumers.get(bus.ns.stream(streamOf(key)), spec.durable);
  const queue: JsMsg[] = [];
  const state = { stopped: false };
  let running: Promise<void> | null = null;
  const retry = { baseMs: options.retryDelayMs ?? 250, maxMs: 5_000 };

  const drainQueue = async () => {
    while (queue.length > 0 && !state.stopped) {
      const batch = queue
        .splice(0, options.maxBatch)
        .map((msg) => toDelivery(bus, key, msg))
        .filter((d): d is Delivery<EventPayload<K>> => d !== undefined);
      if (batch.length > 0) await runBatch({ bus, spec, batch, handler, retry, state, queue });
    }
    running = null;
  };
  const messages: ConsumerMessages = await consumer.consume({
    max_messages: options.maxBatch * 2,
    // After a reconnect the client re-pulls once the consumer answers; until then it backs off
    // by `expires` (30 s by default), and a broker still restoring JetStream does not answer.
    expires: PULL_EXPIRES_MS,
    callback: (msg) => {
      queue.push(msg);
      running ??= new Promise<void>((resolve) => setImmediate(resolve)).then(drainQueue);
    },
  });
  const log = bus.logger.child({ consumer: spec.durable });
  void watchPulls(messages, log, topologyRepair(bus, spec, log));
  return {
    async stop() {
      state.stopped = true;
      await messages.close();
      await running;
      for (const msg of queue.splice(0)) msg.nak();
    },
  };
}

/** Notifications that mean the consumer stopped receiving, or came close to it. */
const STALL_SIGNS = new Set<ConsumerNotification['type']>(['heartbeats_missed', 'exceeded_limits', 'no_responders']);
/** Notifications that mean the broker no longer has the consumer or its stream. */
const LOST_SIGNS = new Set<ConsumerNotification['type']>(['consumer_deleted', 'consumer_not_found', 'stream_not_found']);

/**
 * nats.js does not renew a pull the broker ended with a 409: when no other pull is open,
 * deliveries stop until two idle heartbeats are missed (PULL_EXPIRES_MS in all) and it pulls
 * again. Logged, so a stall of that length can be told from a slow handler. When the broker lost
 * the consumer, nats.js keeps asking for it, and `repair` creates it again.
 */
async function watchPulls(messages: ConsumerMessages, log: Logger, repair: () => void): Promise<void> {
  try {
    for await (const status of messages.status()) {
      if (LOST_SIGNS.has(status.type)) repair();
      else if (STALL_SIGNS.has(status.type)) log.warn({ status }, 'consumer pull interrupted; the client pulls again');
    }
  } catch (error) {
    // Only the log is lost: consuming goes on without it.
    log.warn({ err: error }, 'consumer status notifications ended');
  }
}

/** Pull errors of nats.js that mean the broker no longer has the consumer or its stream. */
const isLost = (error: unknown) => isNotFound(error) || /consumer deleted/i.test((error as Error)?.message ?? '');

/**
 * Creates the stream and the durable again, as the service did at startup, when the broker lost
 * them (a NATS restarted without its volume, a stream deleted by hand): without this the service
 * would wait for them forever. At most one attempt a second; a failed one is logged and the next
 * sign of loss tries again.
 */
function topologyRepair(bus: Wire, spec: ConsumerSpec, log: Logger): () => void {
  let lastAt = 0;
  return () => {
    if (Date.now() - lastAt < 1_000) return;
    lastAt = Date.now();
    log.warn({ stream: spec.stream }, 'the broker lost this consumer or its stream: creating them again');
    ensureStreams(bus.jsm, bus.ns, [spec.stream])
      .then(() => ensureConsumer(bus.jsm, bus.ns, spec))
      .catch((error: unknown) => log.warn({ err: error }, 'could not create the lost consumer again; the next pull retries'));
  };
}

interface BatchRun<T> {
  bus: Wire;
  spec: ConsumerSpec;
  batch: Delivery<T>[];
  handler: (batch: Delivery<T>[]) => Promise<void>;
  retry: { baseMs: number; maxMs: number };
  state: { stopped: boolean };
  /** Messages received but not handed over yet; kept alive while a batch is retried. */
  queue: JsMsg[];
}

/**
 * Runs a batch until it succeeds. A failing dependency (Postgres down) is retried in place with
 * backoff, never by redelivery, because redelivery would let later messages overtake earlier ones.
 * Only an error that says retrying cannot help (`retryable === false`) ends the batch: its
 * unsettled messages are terminated and logged as poison.
 */
async function runBatch<T>(run: BatchRun<T>): Promise<void> {
  const { bus, spec, batch, retry, state } = run;
  for (let attempt = 0; ; attempt++) {
    const pending = batch.filter((d) => !d.settled);
    try {
      await run.handler(pending);
      for (const delivery of pending) delivery.ack();
      return;
    } catch (error) {
      if ((error as { retryable?: boolean }).retryable === false) {
        bus.logger.error({ err: error, consumer: spec.durable, size: pending.length }, 'batch rejected as poison');
        for (const delivery of pending) delivery.term();
        return;
      }
      if (state.stopped) {
        for (const delivery of pending) delivery.nak();
        return;
      }
      const delay = Math.min(retry.maxMs, retry.baseMs * 2 ** attempt);
      bus.logger.warn({ err: error, consumer: spec.durable, size: pending.length, attempt, delay }, 'batch failed, retrying');
      await new Promise((resolve) => setTimeout(resolve, delay));
      for (const delivery of batch) delivery.working();
      for (const msg of run.queue) msg.working();
    }
  }
}

/**
 * Pulls one job per free slot (never more than `concurrency` held by this process), keeps each
 * alive with in-progress acks, and on stop releases what did not finish in time.
 */
export async function consumeJobs<K extends EventKey>(
  bus: Wire,
  key: K,
  spec: ConsumerSpec,
  options: JobOptions,
  handler: JobHandler<K>,
): Promise<ConsumerHandle> {
  await ensureConsumer(bus.jsm, bus.ns, spec);
  const consumer = await bus.js.consumers.get(bus.ns.stream(streamOf(key)), spec.durable);
  const inflight = new Map<Delivery<EventPayload<K>>, Promise<void>>();
  const repair = topologyRepair(bus, spec, bus.logger.child({ consumer: spec.durable }));
  let stopped = false;
  let slotFreed: () => void = () => {};

  const runJob = async (job: Delivery<EventPayload<K>>) => {
    const heartbeat = setInterval(() => job.working(), options.heartbeatMs);
    try {
      // Under the job's span: what the handler requests and publishes continues the job's trace.
      await runIn(job.trace, () => handler(job));
      job.ack();
    } catch (error) {
      const delay = Math.min(5_000, (options.retryDelayMs ?? 500) * 2 ** Math.min(job.deliveryCount - 1, 10));
      bus.logger.warn({ err: error, consumer: spec.durable, subject: job.subject, delay }, 'job failed, will be redelivered');
      job.nak(delay);
    } finally {
      clearInterval(heartbeat);
      inflight.delete(job);
      slotFreed();
    }
  };

  const pullLoop = async () => {
    while (!stopped) {
      if (inflight.size >= options.concurrency) {
        await new Promise<void>((resolve) => (slotFreed = resolve));
        continue;
      }
      let msg: JsMsg | null = null;
      try {
        msg = await consumer.next({ expires: 1_000 });
      } catch (error) {
        if (!stopped && isLost(error)) repair();
        else if (!stopped) bus.logger.warn({ err: error, consumer: spec.durable }, 'pull failed, retrying');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      if (!msg) continue;
      if (stopped) {
        msg.nak();
        break;
      }
      const job = toDelivery(bus, key, msg);
      if (job) inflight.set(job, runJob(job));
    }
  };
  const loop = pullLoop();
  return {
    async stop(graceMs = Number.POSITIVE_INFINITY) {
      stopped = true;
      slotFreed();
      await loop;
      const finished = Promise.allSettled(inflight.values()).then(() => true);
      const timedOut = new Promise<boolean>((resolve) => {
        if (Number.isFinite(graceMs)) setTimeout(() => resolve(false), graceMs).unref();
      });
      if (await Promise.race([finished, timedOut])) return;
      for (const job of inflight.keys()) job.nak();
      bus.logger.warn({ consumer: spec.durable, released: inflight.size }, 'released unfinished jobs at shutdown');
    },
  };
}
