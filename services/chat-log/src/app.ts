import { ORPHAN_SWEEP_MS, type Bus, type ConsumerSpec } from '@chatbot/bus';
import { consumers, objectBuckets } from '@chatbot/proto';
import { every, type Logger, type OpsEndpoints, type Periodic, type Registry } from '@chatbot/runtime';
import { retryWhileDatabaseDown } from '@chatbot/store';
import { createChatLogMetrics, registerBacklogGauges } from './chat-log.metrics';
import type { Config } from './config';
import { pingDb, type Db } from './store/database';
import { createDbRetry } from './store/db-retry';
import { createFramePublisher } from './frames/frame.publisher';
import { createInboundHandler } from './ingest/inbound.handler';
import { createOutboxSweep, drainOutbox } from './sweeps/outbox.worker';
import { createPublishedMarker } from './frames/published.marker';
import { createDeadlineSweep } from './sweeps/release-deadline.worker';
import { createReplyCommitter } from './commit/reply.committer';
import { createRedriveSweep } from './sweeps/redrive.worker';
import { createReplyHandler } from './commit/reply.handler';
import { createSerial } from './frames/serial';
import { serveSessionQueries } from './queries/session-query.handler';
import { serveSummaries } from './summaries/summary.handlers';
import { createSummaryTrigger } from './summaries/summary.trigger';
import { serveAttachments } from './attachments/attachment.handler';
import { createAttachmentSweep } from './attachments/attachment.sweep';
import { serveHandoff } from './handoff/handoff.handler';
import { createStatusPublisher, createStatusSweep } from './status/status.publisher';
import { createAgentEvents, createAgentEventSweep } from './status/agent-events.publisher';
import { markAgentEventsPublished } from './status/agent-outbox.repository';
import { markPublished, type FrameKey } from './frames/outbox.repository';
import { serveConversations } from './conversations/conversation.handler';
import { HandoffKeywords, watchHandoffKeywords } from './settings/handoff-keywords';

export interface AppDeps {
  config: Config;
  bus: Bus;
  db: Db;
  logger: Logger;
  registry: Registry;
}

export interface App {
  ops: OpsEndpoints;
  /**
   * Stops the sweeps and lets a batch held during a database outage give up (it is nak'ed).
   * Call before closing the bus.
   */
  stop(): Promise<void>;
  /** Writes what is still buffered (published marks). Call once the bus is closed. */
  flush(): Promise<void>;
}

// maxDeliver -1: a user message or a reply must never be given up on by the broker.
/** How often stored turns with no reply are looked for (see REDRIVE_AFTER_MS). */
const REDRIVE_SWEEP_MS = 2_000;

const consumerSpec = (base: { stream: ConsumerSpec['stream']; durable: string }, ackWaitMs: number, maxAckPending: number): ConsumerSpec => ({
  ...base,
  ackWaitMs,
  maxDeliver: -1,
  maxAckPending,
});

/** Entries of history a chat.stored event carries: a message and its reply per exchange. */
const historyLimit = (config: Config) => config.HISTORY_TURNS * 2;

type Parts = ReturnType<typeof buildParts>;

function buildParts({ config, bus, db, logger, registry }: AppDeps) {
  const metrics = createChatLogMetrics(registry);
  const retry = createDbRetry(db, metrics, logger, Math.min(5_000, config.CONSUMER_ACK_WAIT_MS / 4));
  const serial = createSerial();
  const marker = createPublishedMarker<FrameKey>((frames) => markPublished(db, frames), 'mark-published', metrics, logger);
  const agentMarker = createPublishedMarker<string>((ids) => markAgentEventsPublished(db, ids), 'mark-agent-events', metrics, logger);
  const agentEvents = createAgentEvents(bus, agentMarker, logger);
  const publisher = createFramePublisher(bus, marker, agentEvents, metrics, logger);
  const committer = createReplyCommitter({ db, publisher, metrics, serial });
  const statusPublisher = createStatusPublisher(bus, db, agentEvents, logger);
  return { metrics, retry, serial, marker, agentMarker, publisher, committer, statusPublisher, agentEvents };
}

export async function createApp(deps: AppDeps): Promise<App> {
  const { config, bus, db, logger, registry } = deps;
  const parts = buildParts(deps);
  const keywords = new HandoffKeywords(config.HANDOFF_KEYWORDS, logger);
  const keywordsWatch = await watchHandoffKeywords(bus, keywords);
  await bus.ensureStreams(['CHAT_INBOUND', 'CHAT_STORED', 'CHAT_REPLIES', 'CHAT_USAGE', 'CHAT_STATUS', 'LLM_SUMMARIES', 'AGENT_EVENTS']);
  // Before anything can publish or hand out a newer frame: see drainOutbox.
  const { publisher, serial, statusPublisher, agentEvents } = parts;
  await retryWhileDatabaseDown('drain-outbox', () => drainOutbox({ db, publisher, serial, logger }), { logger, ping: () => pingDb(db) });
  // Status changes an earlier run committed and never told: their summaries hang on them.
  const drainStatus = createStatusSweep({ db, publisher: statusPublisher, logger, olderThanMs: 0 });
  await retryWhileDatabaseDown('drain-status-outbox', async () => void (await drainStatus()), { logger, ping: () => pingDb(db) });
  const drainAgentEvents = createAgentEventSweep({ db, agentEvents, logger, olderThanMs: 0 });
  await retryWhileDatabaseDown('drain-agent-outbox', async () => void (await drainAgentEvents()), { logger, ping: () => pingDb(db) });
  serveSessionQueries(bus, { db, logger, replayLimit: config.REPLAY_LIMIT });
  serveSummaries(bus, { db, logger });
  serveHandoff(bus, { db, logger, publisher, serial, statusPublisher, agentEvents });
  const bucket = await bus.objectBucket(objectBuckets.attachments);
  serveAttachments(bus, { db, logger, cap: { uploads: config.ATTACHMENT_DAILY_UPLOADS, bytes: config.ATTACHMENT_DAILY_BYTES } });
  serveConversations(bus, { db, logger, bucket, agentEvents });
  registerBacklogGauges(registry, {
    inboundPending: async () => (await bus.consumerBacklog(consumers.chatLogInbound)).pending,
    sessionsAwaitingReply: () => db.waitingSession.count(),
    waitingForAgent: () => db.session.count({ where: { status: 'waiting' } }),
  });
  bus.serveOpsMetrics('chat-log', registry);
  await startConsumers(deps, parts, keywords);
  const attachmentSweep = createAttachmentSweep({ db, bucket, logger, graceMs: config.ATTACHMENT_GRACE_MS, retentionDays: config.ATTACHMENT_RETENTION_DAYS });
  const sweeps = [...startSweeps(deps, parts), every('attachments', config.ATTACHMENT_SWEEP_MS, logger, attachmentSweep)];
  return {
    ops: {
      service: 'chat-log',
      registry,
      readiness: { nats: () => bus.ping(), postgres: () => pingDb(db) },
      info: () => ({ settings_version: keywords.version() }),
    },
    async stop() {
      keywordsWatch.stop();
      parts.retry.stop();
      await Promise.all(sweeps.map((sweep) => sweep.stop()));
    },
    async flush() {
      await parts.agentEvents.settled();
      await Promise.all([parts.marker.flush(), parts.agentMarker.flush()]);
    },
  };
}

async function startConsumers({ config, bus, db, logger }: AppDeps, { metrics, retry, committer, publisher, serial, statusPublisher, agentEvents }: Parts, keywords: HandoffKeywords) {
  await bus.consumeBatches(
    'chatInbound',
    consumerSpec(consumers.chatLogInbound, config.CONSUMER_ACK_WAIT_MS, config.INBOUND_BATCH * 4),
    { maxBatch: config.INBOUND_BATCH, retryDelayMs: 1_000 },
    createInboundHandler({
      db, bus, retry, metrics, logger, publisher, serial, statusPublisher, agentEvents, historyLimit: historyLimit(config),
      rules: () => ({ keywords: keywords.current(), onCompleted: config.COMPLETED_MESSAGES }),
    }),
  );
  await bus.consumeBatches(
    'chatReply',
    consumerSpec(consumers.chatLogReplies, config.CONSUMER_ACK_WAIT_MS, config.REPLY_BATCH * 4),
    { maxBatch: config.REPLY_BATCH, retryDelayMs: 1_000 },
    createReplyHandler({ committer, retry, metrics, logger }),
  );
  await bus.consumeBatches(
    'chatStatusChanged',
    consumerSpec(consumers.chatLogSummaryTrigger, config.CONSUMER_ACK_WAIT_MS, 256),
    { maxBatch: 64, retryDelayMs: 1_000 },
    createSummaryTrigger(bus, logger),
  );
}

function startSweeps({ config, db, bus, logger }: AppDeps, { metrics, serial, publisher, committer, statusPublisher, agentEvents }: Parts): Periodic[] {
  const counted = (operation: string, task: () => Promise<void>) => async () => {
    try {
      await task();
    } catch (error) {
      metrics.dbErrors.inc({ operation });
      throw error;
    }
  };
  const outbox = createOutboxSweep({ db, publisher, serial, logger, olderThanMs: config.OUTBOX_INTERVAL_MS });
  // Candidates a crashed broker kept below the consumer's ack floor would never be committed.
  const replyOrphans = bus.orphanSweep(consumers.chatLogReplies);
  const redrive = createRedriveSweep({
    db, bus, metrics, logger, afterMs: config.REDRIVE_AFTER_MS, deadlineMs: config.RELEASE_DEADLINE_MS, historyLimit: historyLimit(config),
  });
  const statusOutbox = createStatusSweep({ db, publisher: statusPublisher, logger, olderThanMs: config.OUTBOX_INTERVAL_MS });
  const agentOutbox = createAgentEventSweep({ db, agentEvents, logger, olderThanMs: config.OUTBOX_INTERVAL_MS });
  const deadline = createDeadlineSweep({ db, committer, metrics, logger, deadlineMs: config.RELEASE_DEADLINE_MS });
  return [
    every('outbox', config.OUTBOX_INTERVAL_MS, logger, counted('outbox', outbox)),
    every('status-outbox', config.OUTBOX_INTERVAL_MS, logger, counted('status-outbox', async () => void (await statusOutbox()))),
    every('agent-outbox', config.OUTBOX_INTERVAL_MS, logger, counted('agent-outbox', async () => void (await agentOutbox()))),
    every('release-deadline', config.DEADLINE_SWEEP_MS, logger, counted('release-deadline', deadline)),
    every('reply-orphans', ORPHAN_SWEEP_MS, logger, async () => void (await replyOrphans())),
    ...(config.REDRIVE_AFTER_MS > 0 ? [every('redrive', REDRIVE_SWEEP_MS, logger, counted('redrive', redrive))] : []),
  ];
}
