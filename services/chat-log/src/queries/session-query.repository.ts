import type { HistoryTurn } from '@chatbot/proto';
import type { Db } from '../store/database';
import { bySessionThenSeq, RELEASED_COLUMNS, type ReleasedReply } from '../frames/frame.mapper';
import { historiesByPoint, historySelect, pointKey, type HistoryRow } from '../store/history.repository';
import { attachmentIdsOf } from '../attachments/attachment.repository';

/** Sets (or changes) the feedback on the newest released reply shown under `messageId`. */
/**
 * Feedback on the newest released reply with this frame id. An account's conversation takes it only
 * from that account (anyone else is told the id is unknown, as for an id that does not exist).
 */
export async function setFeedback(db: Db, messageId: string, isHelpful: boolean | null, userId: string | null): Promise<boolean> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    UPDATE chat_log.replies SET is_helpful = ${isHelpful}::boolean, feedback_at = now()
    WHERE id = (SELECT r.id FROM chat_log.replies r JOIN chat_log.sessions s ON s.id = r.session_id
                WHERE r.frame_message_id = ${messageId} AND r.seq IS NOT NULL
                  AND (s.owner_id IS NULL OR s.owner_id = ${userId}::uuid)
                ORDER BY r.created_at DESC, r.seq DESC LIMIT 1)
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
export async function promptStatusOf(
  db: Db, sessionId: string, messageId: string,
): Promise<{ message: MessageState; reply: ReleasedReply | null; handed?: 'waiting' | 'agent' }> {
  const row = await db.message.findUnique({ where: { messageId }, select: { sessionId: true } });
  if (!row) return { message: 'missing', reply: null };
  if (row.sessionId !== sessionId) return { message: 'other_session', reply: null };
  const [reply] = await releasedForPrompts(db, [messageId]);
  if (reply) return { message: 'stored', reply };
  // A handed row takes the turn without a frame: say so, or the asker would wait for one.
  const handed = await db.reply.findFirst({ where: { promptMessageId: messageId, kind: 'handed' }, select: { announcesStatus: true } });
  return { message: 'stored', reply: null, ...(handed ? { handed: handed.announcesStatus === 'waiting' ? 'waiting' as const : 'agent' as const } : {}) };
}

/** The last `limit` entries of a conversation, oldest first (see historySelect). */
export async function historyOf(db: Db, sessionId: string, limit: number): Promise<HistoryTurn[]> {
  const session = await db.session.findUnique({ where: { id: sessionId }, select: { nextTurn: true } });
  if (!session) return [];
  // Named: its best plan does not depend on the values (docs/benchmarks.md, finding 21).
  const rows = await db.sql.named('chat_log_history').query<HistoryRow[]>`${historySelect([{ sessionId, turn: session.nextTurn }], limit)}`;
  const turns = historiesByPoint(rows).get(pointKey({ sessionId, turn: session.nextTurn })) ?? [];
  return withAttachments(db, turns);
}

/** Each user message's attachments, on the turns that have some (one query for the whole list). */
async function withAttachments(db: Db, turns: HistoryTurn[]): Promise<HistoryTurn[]> {
  const linked = await attachmentIdsOf(db, turns.filter((t) => t.role === 'user').map((t) => t.message_id));
  return turns.map((turn) => {
    const ids = turn.role === 'user' ? linked.get(turn.message_id) : undefined;
    return ids ? { ...turn, attachment_ids: ids } : turn;
  });
}
