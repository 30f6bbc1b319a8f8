import type { Bus } from '@chatbot/bus';
import type { ChatInboundV1 } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import type { ChatLogMetrics } from './chat-log.metrics';
import type { Db } from './database';
import { findUnansweredTurns, type UnansweredTurn } from './redrive.repository';

const SWEEP_LIMIT = 200;
/** Re-drives of one turn at the most; after them the release deadline closes the turn. */
const MAX_REDRIVES = 3;
/** Turns remembered as re-driven (oldest forgotten first). */
const MEMORY = 10_000;

export interface RedriveDeps {
  db: Db;
  bus: Pick<Bus, 'publish'>;
  metrics: ChatLogMetrics;
  logger: Logger;
  afterMs: number;
  deadlineMs: number;
}

/**
 * PostgreSQL is the source of truth: a stored turn with no reply after `afterMs` may have lost its
 * job or its reply candidate (a nats-server killed with -9 can lose what it had just
 * acknowledged). It is published again on CHAT_INBOUND, under a dedupe id of its own, and takes the
 * usual way: qna-cache answers it or queues its job again. When the first job still exists (a slow
 * model), the broker drops the copy by the job's id, so no second model call is made; whatever
 * answer comes twice, chat-log commits one.
 */
export function createRedriveSweep(deps: RedriveDeps): () => Promise<void> {
  const redriven = new Map<string, { count: number; at: number }>();
  return async () => {
    const turns = await findUnansweredTurns(deps.db, deps.afterMs, deps.deadlineMs, SWEEP_LIMIT);
    const now = Date.now();
    for (const turn of turns) {
      const last = redriven.get(turn.messageId);
      if (last && (last.count >= MAX_REDRIVES || now - last.at < deps.afterMs)) continue;
      const count = (last?.count ?? 0) + 1;
      await publish(deps, turn, count);
      remember(redriven, turn.messageId, { count, at: now });
    }
  };
}

async function publish(deps: RedriveDeps, turn: UnansweredTurn, count: number): Promise<void> {
  const payload: ChatInboundV1 = {
    session_id: turn.sessionId,
    message_id: turn.messageId,
    text: turn.text,
    ...(turn.clientTimestamp ? { client_timestamp: turn.clientTimestamp } : {}),
    received_at: turn.receivedAt.toISOString(),
    gateway_id: 'chat-log:redrive',
    protocol: 1,
  };
  await deps.bus.publish('chatInbound', turn.sessionId, payload, { msgId: `${turn.sessionId}:${turn.messageId}:redrive:${count}` });
  deps.metrics.redrives.inc();
  deps.logger.warn({ sessionId: turn.sessionId, messageId: turn.messageId, redrive: count }, 'turn unanswered, published again');
}

function remember(map: Map<string, { count: number; at: number }>, id: string, value: { count: number; at: number }): void {
  map.delete(id);
  map.set(id, value);
  if (map.size > MEMORY) map.delete(map.keys().next().value as string);
}
