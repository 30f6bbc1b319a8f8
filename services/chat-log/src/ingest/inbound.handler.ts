import type { Bus, Delivery } from '@chatbot/bus';
import type { ChatInboundV1, ChatStoredV1, HistoryTurn, SessionDeliveryV1 } from '@chatbot/proto';
import { messageLogger, type Logger } from '@chatbot/runtime';
import type { ChatLogMetrics } from '../chat-log.metrics';
import type { Db } from '../store/database';
import type { DbRetry } from '../store/db-retry';
import type { FrameOrigin, FramePublisher } from '../frames/frame.publisher';
import { pointKey } from '../store/history.repository';
import type { InboundMessage, InboundOutcome, RoutedMessage } from './message.planner';
import { storeMessages } from './message.repository';
import type { HandoffRules } from './answerer.planner';
import { publishUsage } from './usage.publisher';
import type { Serial } from '../frames/serial';
import type { StatusPublisher } from '../status/status.publisher';
import type { AgentEvents } from '../status/agent-events.publisher';
import { releasedForPrompts } from '../queries/session-query.repository';
import { storable, timestampOr } from '../store/text';

interface Deps {
  db: Db;
  bus: Bus;
  retry: DbRetry;
  metrics: ChatLogMetrics;
  logger: Logger;
  publisher: FramePublisher;
  serial: Serial;
  statusPublisher: StatusPublisher;
  agentEvents: AgentEvents;
  /** Entries of history each chat.stored event carries at most. */
  historyLimit: number;
  /** Keywords and the completed-conversation policy in force, read for each batch (they change live). */
  rules: () => HandoffRules;
}

/**
 * Stores a micro-batch of user messages (one transaction), then, together: publishes one
 * chat.stored event per message that goes on to be answered (new, or stored before with no reply
 * yet), one chat.usage event per stored message of a signed-in user, and tells each sender's gateway
 * `stored` (also for a re-send of a stored message; protocol 2 only) or `rejected`: E4008 (the id is
 * another session's), E4005 (the sender may not write to the session: see message.planner) or
 * E4031 (a completed conversation takes no new message). A message handed to an agent is told
 * `handed` after its `stored`. The batch is acked when this returns, after the broker took every event:
 * a crash before that redelivers the batch, whose messages are then found stored and published
 * again (the broker drops a copy it already has by its Nats-Msg-Id). A re-sent message that
 * already has a reply is not routed again; its released frame is sent again.
 */
export function createInboundHandler(deps: Deps) {
  return async (batch: Array<Delivery<ChatInboundV1>>): Promise<void> => {
    deps.metrics.batchSize.observe({ consumer: 'inbound' }, batch.length);
    const { plan, answerers, histories, released, statusChanges, agentEvents } = await deps.retry.run('store-messages', batch, () =>
      storeMessages(deps.db, batch.map(toInboundMessage), deps.historyLimit, deps.rules()),
    );
    deps.metrics.messagesStored.inc(plan.inserts.length);
    const deliveryOf = new Map(batch.map((d) => [d.payload.message_id, d]));
    const handed = [...answerers.handed, ...plan.handedAgain];
    await Promise.all([
      ...plan.routed.map((message) => publishStored(deps, message, histories && (histories.get(pointKey(message)) ?? []), deliveryOf.get(message.messageId))),
      ...batch.map((delivery, i) => announce(deps, delivery, plan.outcomes[i])),
      publishUsage(deps.bus, batch, plan.outcomes),
      deps.agentEvents.send(agentEvents),
    ]);
    // After `stored`: the gateway settles each handed message (no assistant reply will come).
    await Promise.all(handed.map((m) => tellHanded(deps, m, deliveryOf.get(m.messageId)?.correlationId)));
    if (released.length > 0) await deps.serial(() => deps.publisher.publish(released, 'live', undefined));
    await deps.statusPublisher.publish(statusChanges);
    const answered = new Set(plan.answered);
    await answerAgain(deps, batch.filter((d, i) => plan.outcomes[i] === 'restored' && answered.has(d.payload.message_id)));
  };
}

/**
 * Publishes leave in call order (batch order), so a session's new messages enter CHAT_STORED in
 * turn order; replies are released in turn order whatever order their answers come in.
 */
async function publishStored(deps: Deps, message: RoutedMessage, history: HistoryTurn[] | null, origin: FrameOrigin | undefined): Promise<void> {
  const { sessionId, messageId, turn, text, receivedAt, systemPrompt } = message;
  const event: ChatStoredV1 = {
    session_id: sessionId,
    message_id: messageId,
    turn,
    text,
    received_at: receivedAt.toISOString(),
    ...(history ? { history } : {}),
    ...(systemPrompt === null ? {} : { system_prompt: systemPrompt }),
  };
  await deps.bus.publish('chatStored', sessionId, event, { msgId: `${sessionId}:${messageId}`, correlationId: origin?.correlationId, trace: origin?.trace });
}

/**
 * The same frame, same seq, as before: the gateway holding the resend stops waiting for it, and
 * drops the seq when it already delivered it. A reply not released yet is published when it is.
 */
async function answerAgain(deps: Deps, restored: Array<Delivery<ChatInboundV1>>): Promise<void> {
  if (restored.length === 0) return;
  const ids = [...new Set(restored.map((d) => d.payload.message_id))];
  const replies = await deps.retry.run('find-released', restored, () => releasedForPrompts(deps.db, ids));
  if (replies.length === 0) return;
  const deliveryOf = new Map(restored.map((d) => [d.payload.message_id, d]));
  const origins = new Map(
    replies.flatMap((r) => {
      const delivery = r.promptMessageId === null ? undefined : deliveryOf.get(r.promptMessageId);
      return delivery === undefined ? [] : [[r.replyId, delivery] as const];
    }),
  );
  await deps.serial(() => deps.publisher.publish(replies, 'resend', origins));
}

function toInboundMessage(delivery: Delivery<ChatInboundV1>): InboundMessage {
  const { payload } = delivery;
  return {
    sessionId: payload.session_id,
    messageId: payload.message_id,
    userId: payload.user_id ?? null,
    text: storable(payload.text),
    clientTimestamp: payload.client_timestamp === undefined ? null : storable(payload.client_timestamp),
    receivedAt: timestampOr(payload.received_at),
    inboundSeq: delivery.streamSeq,
    systemPrompt: payload.system_prompt === undefined ? null : storable(payload.system_prompt),
    ...(payload.attachment_ids ? { attachmentIds: payload.attachment_ids } : {}),
  };
}

/**
 * A refused sender hears E4005 (session not found), as for a session that does not exist: an
 * account learns nothing about another account's sessions (never "forbidden").
 */
const refusalCode: Record<InboundOutcome, 'E4005' | 'E4008' | 'E4031' | null> = {
  stored: null, restored: null, rejected: 'E4008', refused: 'E4005', closed: 'E4031',
};

async function announce(deps: Deps, delivery: Delivery<ChatInboundV1>, outcome: InboundOutcome) {
  const { session_id: sessionId, message_id: messageId } = delivery.payload;
  const { correlationId, trace } = delivery;
  // Built only for a line that is written: a stored message logs at debug only.
  const log = () => messageLogger(deps.logger, { subject: delivery.subject, sessionId, messageId, correlationId });
  const code = refusalCode[outcome];
  const event: SessionDeliveryV1 = code ? { type: 'rejected', message_id: messageId, code } : { type: 'stored', message_id: messageId };
  if (outcome === 'closed') {
    deps.metrics.messagesRejected.inc();
    log().info({ code }, 'conversation completed, message not stored');
  } else if (code) {
    deps.metrics.messagesRejected.inc();
    log().warn({ code }, outcome === 'refused' ? 'sender may not write to this session, not stored' : 'message_id already used by another session, not stored');
  } else if (deps.logger.isLevelEnabled('debug')) {
    log().debug({ redelivered: delivery.deliveryCount > 1, again: outcome === 'restored' }, 'message stored');
  }
  // Protocol 1 has no `stored` frame: the gateway would drop the event.
  if (!code && delivery.payload.protocol === 1) return;
  try {
    await deps.bus.publish('sessionDelivery', sessionId, event, { correlationId, trace });
  } catch (error) {
    // Stored all the same; a v2 client re-sends and gets `stored` then.
    log().warn({ err: error }, 'could not notify the gateway');
  }
}

/** Core NATS: lost with a broker fault, the gateway's reply timer then fires and its failure is dropped here. */
async function tellHanded(deps: Deps, message: { sessionId: string; messageId: string; status: 'waiting' | 'agent' }, correlationId: string | undefined) {
  const event: SessionDeliveryV1 = { type: 'handed', message_id: message.messageId, status: message.status };
  try {
    await deps.bus.publish('sessionDelivery', message.sessionId, event, { correlationId });
  } catch (error) {
    deps.logger.warn({ err: error, sessionId: message.sessionId, messageId: message.messageId }, 'could not tell the gateway a message was handed');
  }
}
