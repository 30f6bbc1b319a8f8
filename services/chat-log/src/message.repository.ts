import type { Db } from './database';
import { transaction, type Sql } from './sql';
import { planInbound, type InboundMessage, type InboundPlan } from './message.planner';

/**
 * Stores a batch of user messages in one transaction. The batch's sessions are locked (in id
 * order, so concurrent replicas cannot deadlock) before turns are read, so two writers never
 * hand out the same turn; a message id raced in by another session fails the unique key and the
 * batch is retried, when it is seen as taken.
 */
export function storeMessages(db: Db, batch: InboundMessage[]): Promise<InboundPlan> {
  return transaction(db.pool, async (tx) => {
    const sessionIds = [...new Set(batch.map((m) => m.sessionId))].sort();
    const messageIds = [...new Set(batch.map((m) => m.messageId))];
    const nextTurn = await lockSessions(tx, sessionIds);
    const owned = await tx.query<Array<{ message_id: string; session_id: string }>>`
      SELECT message_id, session_id::text FROM chat_log.messages WHERE message_id = ANY(${messageIds}::text[])`;
    const plan = planInbound(batch, { owners: new Map(owned.map((r) => [r.message_id, r.session_id])), nextTurn });
    if (plan.inserts.length > 0) {
      await insertMessages(tx, plan.inserts);
      await advanceTurns(tx, plan.nextTurn);
    }
    return plan;
  });
}

async function lockSessions(tx: Sql, sessionIds: string[]): Promise<Map<string, number>> {
  await tx.execute`
    INSERT INTO chat_log.sessions (id) SELECT unnest(${sessionIds}::uuid[]) ORDER BY 1 ON CONFLICT DO NOTHING`;
  const rows = await tx.query<Array<{ id: string; next_turn: number }>>`
    SELECT id::text, next_turn FROM chat_log.sessions WHERE id = ANY(${sessionIds}::uuid[]) ORDER BY id FOR UPDATE`;
  return new Map(rows.map((r) => [r.id, r.next_turn]));
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

/** A session now waiting for a reply is listed in `waiting_sessions` by a trigger (migration 003). */
async function advanceTurns(tx: Sql, nextTurn: Map<string, number>) {
  const ids = [...nextTurn.keys()];
  const turns = [...nextTurn.values()];
  await tx.execute`
    UPDATE chat_log.sessions s SET next_turn = u.next_turn
    FROM unnest(${ids}::uuid[], ${turns}::int[]) AS u(id, next_turn) WHERE s.id = u.id`;
}
