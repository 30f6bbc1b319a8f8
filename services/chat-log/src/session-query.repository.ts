import type { HistoryTurn } from '@chatbot/proto';
import type { Db } from './database';
import { bySessionThenSeq, RELEASED_COLUMNS, type ReleasedReply } from './frame.mapper';

/** Sets (or changes) the feedback on the newest released reply shown under `messageId`. */
export async function setFeedback(db: Db, messageId: string, isHelpful: boolean | null): Promise<boolean> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    UPDATE chat_log.replies SET is_helpful = ${isHelpful}::boolean, feedback_at = now()
    WHERE id = (SELECT id FROM chat_log.replies WHERE frame_message_id = ${messageId} AND seq IS NOT NULL
                ORDER BY created_at DESC, seq DESC LIMIT 1)
    RETURNING id::text`;
  return rows.length > 0;
}

export async function lastSeqOf(db: Db, sessionId: string): Promise<number> {
  const session = await db.session.findUnique({ where: { id: sessionId }, select: { lastSeq: true } });
  return session?.lastSeq ?? 0;
}

export function releasedAfter(db: Db, sessionId: string, afterSeq: number, limit: number): Promise<ReleasedReply[]> {
  return db.$queryRaw<ReleasedReply[]>`
    SELECT ${RELEASED_COLUMNS} FROM chat_log.replies r
    WHERE r.session_id = ${sessionId}::uuid AND r.seq > ${afterSeq}::int ORDER BY r.seq LIMIT ${limit}::int`;
}

/** The released replies answering these prompts (at most one each), by session then seq. */
export async function releasedForPrompts(db: Db, messageIds: string[]): Promise<ReleasedReply[]> {
  if (messageIds.length === 0) return [];
  const rows = await db.$queryRaw<ReleasedReply[]>`
    SELECT ${RELEASED_COLUMNS} FROM chat_log.replies r
    WHERE r.prompt_message_id = ANY(${messageIds}::text[]) AND r.seq IS NOT NULL`;
  return rows.sort(bySessionThenSeq);
}

export type MessageState = 'stored' | 'missing' | 'other_session';

/** Whether this session stored the message (or another session owns its id), and the reply released for it. */
export async function promptStatusOf(db: Db, sessionId: string, messageId: string): Promise<{ message: MessageState; reply: ReleasedReply | null }> {
  const row = await db.message.findUnique({ where: { messageId }, select: { sessionId: true } });
  if (!row) return { message: 'missing', reply: null };
  if (row.sessionId !== sessionId) return { message: 'other_session', reply: null };
  const [reply] = await releasedForPrompts(db, [messageId]);
  return { message: 'stored', reply: reply ?? null };
}

/**
 * The last `limit` entries of a conversation, oldest first: each user message followed by the
 * reply released for it; a push sits after the turn reply released before it. Every entry is
 * among the last `limit` messages or the last `limit` released replies, which bounds the scan.
 */
export async function historyOf(db: Db, sessionId: string, limit: number): Promise<HistoryTurn[]> {
  const rows = await db.sql.named('chat_log_history').query<Array<{ role: 'user' | 'assistant'; content: string; message_id: string; at: Date }>>`
    WITH s AS (SELECT next_turn, last_seq FROM chat_log.sessions WHERE id = ${sessionId}::uuid),
    items AS (
      SELECT 'user' AS role, m.text AS content, m.message_id, m.received_at AS at, m.turn AS pos, 0 AS rank, 0 AS seq
      FROM chat_log.messages m, s
      WHERE m.session_id = ${sessionId}::uuid AND m.turn >= s.next_turn - ${limit}::int
      UNION ALL
      SELECT 'assistant', r.message, r.frame_message_id, r.released_at,
        COALESCE(r.turn, (SELECT max(x.turn) FROM chat_log.replies x
                          WHERE x.session_id = r.session_id AND x.turn IS NOT NULL AND x.seq < r.seq), 0),
        1, r.seq
      FROM chat_log.replies r, s
      WHERE r.session_id = ${sessionId}::uuid AND r.seq > s.last_seq - ${limit}::int
    )
    SELECT role, content, message_id, at FROM (
      SELECT * FROM items ORDER BY pos DESC, rank DESC, seq DESC LIMIT ${limit}::int
    ) latest ORDER BY pos, rank, seq`;
  return rows.map((r) => ({ role: r.role, content: r.content, message_id: r.message_id, at: r.at.toISOString() }));
}
