import type { HistoryTurn } from '@chatbot/proto';
import type { Db } from '../store/database';
import { historiesByPoint, historySelect, type HistoryRow } from '../store/history.repository';
import { transaction, type Sql } from '../store/sql';
import { planInbound, type InboundMessage, type InboundPlan, type InboundState, type StoredMessage } from './message.planner';

export interface StoreResult {
  plan: InboundPlan;
  /** The history before each routed message (`plan.routed`), by `<session>:<turn>`. */
  /** The history before each routed message, or null when none is carried (HISTORY_TURNS=0). */
  histories: Map<string, HistoryTurn[]> | null;
}

/**
 * Stores a batch of user messages in one transaction. The batch's sessions are locked (in id
 * order, so concurrent replicas cannot deadlock) before turns are read, so two writers never
 * hand out the same turn; a message id raced in by another session fails the unique key and the
 * batch is retried, when it is seen as taken. The history of every message that goes on to be
 * answered is read by the statement that moves the turn counters, after the inserts: no round
 * trip of its own, and it includes the batch's earlier messages of the same session.
 */
export function storeMessages(db: Db, batch: InboundMessage[], historyLimit: number): Promise<StoreResult> {
  return transaction(db.pool, async (tx) => {
    const sessionIds = [...new Set(batch.map((m) => m.sessionId))].sort();
    const messageIds = [...new Set(batch.map((m) => m.messageId))];
    const { nextTurn, owners } = await lockSessions(tx, sessionIds);
    const plan = planInbound(batch, { stored: await storedBefore(tx, messageIds), nextTurn, owners });
    if (plan.inserts.length > 0) await insertMessages(tx, plan.inserts);
    if (plan.routed.length === 0) return { plan, histories: null };
    if (historyLimit === 0) {
      await advanceTurns(tx, plan);
      return { plan, histories: null };
    }
    const rows = await advanceTurnsAndReadHistory(tx, plan, historyLimit);
    return { plan, histories: historiesByPoint(rows) };
  });
}

/** Which ids of the batch are stored already, and whether each has a reply. */
async function storedBefore(tx: Sql, messageIds: string[]): Promise<Map<string, StoredMessage>> {
  const rows = await tx.query<Array<{ message_id: string; session_id: string; turn: number; text: string; received_at: Date; answered: boolean }>>`
    SELECT m.message_id, m.session_id::text, m.turn, m.text, m.received_at,
      EXISTS (SELECT 1 FROM chat_log.replies r WHERE r.prompt_message_id = m.message_id) AS answered
    FROM chat_log.messages m WHERE m.message_id = ANY(${messageIds}::text[])`;
  return new Map(
    rows.map((r) => [r.message_id, { sessionId: r.session_id, turn: r.turn, text: r.text, receivedAt: r.received_at, answered: r.answered }]),
  );
}

async function lockSessions(tx: Sql, sessionIds: string[]): Promise<Pick<InboundState, 'nextTurn' | 'owners'>> {
  await tx.execute`
    INSERT INTO chat_log.sessions (id) SELECT unnest(${sessionIds}::uuid[]) ORDER BY 1 ON CONFLICT DO NOTHING`;
  const rows = await tx.query<Array<{ id: string; next_turn: number; owner_id: string | null; deleted: boolean }>>`
    SELECT id::text, next_turn, owner_id::text, deleted_at IS NOT NULL AS deleted
    FROM chat_log.sessions WHERE id = ANY(${sessionIds}::uuid[]) ORDER BY id FOR UPDATE`;
  return {
    nextTurn: new Map(rows.map((r) => [r.id, r.next_turn])),
    owners: new Map(rows.map((r) => [r.id, { ownerId: r.owner_id, deleted: r.deleted }])),
  };
}

async function insertMessages(tx: Sql, rows: InboundPlan['inserts']) {
  const json = JSON.stringify(
    rows.map((m) => ({
      message_id: m.messageId,
      session_id: m.sessionId,
      turn: m.turn,
      text: m.text,
      client_timestamp: m.clientTimestamp,
      received_at: m.receivedAt.toISOString(),
      inbound_seq: m.inboundSeq,
    })),
  );
  await tx.execute`
    INSERT INTO chat_log.messages (message_id, session_id, turn, text, client_timestamp, received_at, inbound_seq)
    SELECT message_id, session_id, turn, text, client_timestamp, received_at, inbound_seq
    FROM jsonb_to_recordset(${json}::jsonb) AS r(message_id text, session_id uuid, turn int, text text,
      client_timestamp text, received_at timestamptz, inbound_seq bigint)`;
}

/**
 * Moves the counters of the sessions that got a message (a session now waiting for a reply is
 * listed in `waiting_sessions` by a trigger, migration 003), gives a new session to the account
 * that sent its first message, and moves `updated_at` of owned sessions only: an anonymous
 * session's row keeps its indexed columns, so its update stays HOT (migration 004).
 */
async function advanceTurns(tx: Sql, plan: InboundPlan): Promise<void> {
  const { ids, turns, claims } = counterColumns(plan);
  await tx.execute`
    UPDATE chat_log.sessions s SET next_turn = u.next_turn, owner_id = COALESCE(s.owner_id, u.claim),
      updated_at = CASE WHEN COALESCE(s.owner_id, u.claim) IS NULL THEN s.updated_at ELSE now() END
    FROM unnest(${ids}::uuid[], ${turns}::int[], ${claims}::uuid[]) AS u(id, next_turn, claim) WHERE s.id = u.id`;
}

/** advanceTurns, and in the same statement the history before each routed message. */
function advanceTurnsAndReadHistory(tx: Sql, plan: InboundPlan, historyLimit: number): Promise<HistoryRow[]> {
  const { ids, turns, claims } = counterColumns(plan);
  return tx.query<HistoryRow[]>`
    WITH advanced AS (
      UPDATE chat_log.sessions s SET next_turn = u.next_turn, owner_id = COALESCE(s.owner_id, u.claim),
        updated_at = CASE WHEN COALESCE(s.owner_id, u.claim) IS NULL THEN s.updated_at ELSE now() END
      FROM unnest(${ids}::uuid[], ${turns}::int[], ${claims}::uuid[]) AS u(id, next_turn, claim) WHERE s.id = u.id
    )
    ${historySelect(plan.routed, historyLimit)}`;
}

function counterColumns(plan: InboundPlan) {
  const ids = [...plan.nextTurn.keys()];
  return { ids, turns: ids.map((id) => plan.nextTurn.get(id)!), claims: ids.map((id) => plan.claims.get(id) ?? null) };
}
