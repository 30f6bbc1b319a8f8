import type { AgentEventV1 } from '@chatbot/proto';
import { Prisma } from '../generated/prisma/client';
import type { ReleasedReply } from '../frames/frame.mapper';
import type { Db } from '../store/database';
import type { Sql } from '../store/sql';

/** An agent event and the broker's de-duplication id that makes publishing it again harmless. */
export interface QueuedAgentEvent {
  msgId: string;
  event: AgentEventV1;
}

/** A user's message as it is stored, whoever answers it (the lists show every conversation's last message). */
export const userMessageEvent = (m: { sessionId: string; messageId: string; text: string; receivedAt: Date }): QueuedAgentEvent => ({
  msgId: `${m.sessionId}:agent:user:${m.messageId}`,
  event: { type: 'new_message', session_id: m.sessionId, at: m.receivedAt.toISOString(), message_id: m.messageId, sender: 'user', message: m.text },
});

/**
 * The frames agents are told of: an agent's words and status notices. The assistant's replies in
 * a `bot` conversation are not (an event and an outbox row each cost about a third more CPU per
 * cache-hit message at 1,000 clients, docs/benchmarks.md); the console reads them with the history.
 */
export const toldToAgents = (sender: string | null): boolean => sender === 'agent' || sender === 'system';

/** A frame as it is released: the assistant's reply, an agent's message, a status notice. */
export const frameEvent = (f: ReleasedReply): QueuedAgentEvent => ({
  msgId: `${f.sessionId}:agent:frame:${f.seq}`,
  event: {
    type: 'new_message', session_id: f.sessionId, at: f.releasedAt.toISOString(), message_id: f.frameMessageId,
    sender: f.sender === 'agent' || f.sender === 'system' ? f.sender : 'bot', message: f.message,
  },
});

/**
 * The insert of `events` into the outbox, as a fragment: alone (`queueAgentEvents`) or as a
 * data-modifying `WITH` of the statement that writes what the events tell, so the hot path pays
 * no round trip for it. A re-queued id (a redelivered batch) is kept once.
 */
export function agentOutboxInsert(events: readonly QueuedAgentEvent[]): Prisma.Sql {
  return Prisma.sql`INSERT INTO chat_log.agent_outbox (msg_id, session_id, event)
    SELECT e.msg_id, e.session_id, e.event FROM unnest(
      ${events.map((e) => e.msgId)}::text[], ${events.map((e) => e.event.session_id)}::uuid[], ${events.map((e) => JSON.stringify(e.event))}::jsonb[]
    ) WITH ORDINALITY AS e(msg_id, session_id, event, n) ORDER BY e.n
    ON CONFLICT DO NOTHING`;
}

/** Queues events for publishing, inside the transaction that commits what they tell. */
export async function queueAgentEvents(tx: Sql, events: readonly QueuedAgentEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.execute`${agentOutboxInsert(events)}`;
}

export async function markAgentEventsPublished(db: Db, msgIds: readonly string[]): Promise<void> {
  if (msgIds.length === 0) return;
  await db.sql.execute`DELETE FROM chat_log.agent_outbox WHERE msg_id = ANY(${msgIds}::text[])`;
}

/** Events queued at least `olderThanMs` ago and never published, in the order they were queued. */
export async function findUnpublishedAgentEvents(db: Db, olderThanMs: number, limit: number): Promise<QueuedAgentEvent[]> {
  const rows = await db.sql.query<Array<{ msg_id: string; event: AgentEventV1 }>>`
    SELECT msg_id, event FROM chat_log.agent_outbox
    WHERE queued_at <= now() - ${olderThanMs}::int * interval '1 millisecond'
    ORDER BY queued_at, msg_id LIMIT ${limit}::int`;
  return rows.map((r) => ({ msgId: r.msg_id, event: r.event }));
}

/**
 * Queues `unread_count_updated` for sessions whose unread count the transaction moved, counted
 * in the same statement that queues them (the user's messages handed to an agent with no agent
 * message after them). `after` names what moved the count (the last handed message, an agent's
 * frame): it keys the event. Returns the events queued.
 */
export async function queueUnreadCounts(tx: Sql, moved: ReadonlyArray<{ sessionId: string; after: string }>): Promise<QueuedAgentEvent[]> {
  if (moved.length === 0) return [];
  const at = new Date().toISOString();
  const rows = await tx.query<Array<{ msg_id: string; event: AgentEventV1 }>>`
    WITH counted AS (
      SELECT m.session_id || ':agent:unread:' || m.after AS msg_id, m.session_id::uuid AS session_id,
        jsonb_build_object('type', 'unread_count_updated', 'session_id', m.session_id, 'at', ${at}::text,
          'unread_count', (SELECT count(*)::int FROM chat_log.replies h JOIN chat_log.sessions s ON s.id = h.session_id
            WHERE h.session_id = m.session_id::uuid AND h.kind = 'handed' AND h.turn > s.agent_answered_turn)) AS event
      FROM unnest(${moved.map((m) => m.sessionId)}::text[], ${moved.map((m) => m.after)}::text[]) AS m(session_id, after)
    ), queued AS (
      INSERT INTO chat_log.agent_outbox (msg_id, session_id, event) SELECT * FROM counted ON CONFLICT DO NOTHING
    )
    SELECT msg_id, event FROM counted`;
  return rows.map((r) => ({ msgId: r.msg_id, event: r.event }));
}
