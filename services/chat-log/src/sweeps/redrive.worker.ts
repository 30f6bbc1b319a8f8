import type { Bus } from '@chatbot/bus';
import type { ChatStoredV1, HistoryTurn } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import type { ChatLogMetrics } from '../chat-log.metrics';
import type { Db } from '../store/database';
import { historiesByPoint, historySelect, pointKey, type HistoryRow } from '../store/history.repository';
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
  /** Entries of history each event carries at most (as the inbound handler's). */
  historyLimit: number;
}

/**
 * PostgreSQL is the source of truth: a stored turn with no reply after `afterMs` may have lost its
 * chat.stored event (chat-log died between the store's commit and the publish), its job or its
 * reply candidate (a nats-server killed with -9 can lose what it had just acknowledged). Its
 * chat.stored is published again, under a dedupe id of its own, with the history read now, and
 * takes the usual way: qna-cache answers it or queues its job again. When the first job is still
 * within the broker's dedupe window (a slow model), the broker drops the copy by the job's id, so
 * no second model call is made; whatever answer comes twice, chat-log commits one.
 */
export function createRedriveSweep(deps: RedriveDeps): () => Promise<void> {
  const redriven = new Map<string, { count: number; at: number }>();
  return async () => {
    const now = Date.now();
    const due = (await findUnansweredTurns(deps.db, deps.afterMs, deps.deadlineMs, SWEEP_LIMIT)).filter((turn) => {
      const last = redriven.get(turn.messageId);
      return !last || (last.count < MAX_REDRIVES && now - last.at >= deps.afterMs);
    });
    if (due.length === 0) return;
    const histories = deps.historyLimit === 0 ? null : historiesByPoint(await deps.db.sql.query<HistoryRow[]>`${historySelect(due, deps.historyLimit)}`);
    for (const turn of due) {
      const count = (redriven.get(turn.messageId)?.count ?? 0) + 1;
      await publish(deps, turn, histories && (histories.get(pointKey(turn)) ?? []), count);
      remember(redriven, turn.messageId, { count, at: now });
    }
  };
}

async function publish(deps: RedriveDeps, turn: UnansweredTurn, history: HistoryTurn[] | null, count: number): Promise<void> {
  const { sessionId, messageId } = turn;
  const event: ChatStoredV1 = {
    session_id: sessionId,
    message_id: messageId,
    turn: turn.turn,
    text: turn.text,
    received_at: turn.receivedAt.toISOString(),
    ...(history ? { history } : {}),
    ...(turn.systemPrompt === null ? {} : { system_prompt: turn.systemPrompt }),
  };
  await deps.bus.publish('chatStored', sessionId, event, { msgId: `${sessionId}:${messageId}:redrive:${count}` });
  deps.metrics.redrives.inc();
  deps.logger.warn({ sessionId, messageId, redrive: count }, 'turn unanswered, published again');
}

function remember(map: Map<string, { count: number; at: number }>, id: string, value: { count: number; at: number }): void {
  map.delete(id);
  map.set(id, value);
  if (map.size > MEMORY) map.delete(map.keys().next().value as string);
}
