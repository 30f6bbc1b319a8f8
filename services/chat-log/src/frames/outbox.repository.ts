import type { Db } from '../store/database';
import type { Sql } from '../store/sql';
import { bySessionThenSeq, RELEASED_COLUMNS, type ReleasedReply } from './frame.mapper';
import { agentOutboxInsert, frameEvent } from '../status/agent-outbox.repository';

/** A released frame, by its place in its session. */
export interface FrameKey {
  sessionId: string;
  seq: number;
}

/**
 * Queues released frames for publishing, inside the transaction that releases them, and in the
 * same statement their agent events (new_message) in the agent outbox.
 */
export async function queueForPublish(tx: Sql, frames: readonly ReleasedReply[]): Promise<void> {
  if (frames.length === 0) return;
  await tx.execute`
    WITH agent_events AS (${agentOutboxInsert(frames.map(frameEvent))})
    INSERT INTO chat_log.outbox (session_id, seq)
    SELECT * FROM unnest(${frames.map((f) => f.sessionId)}::uuid[], ${frames.map((f) => f.seq)}::int[])`;
}

export async function markPublished(db: Db, frames: readonly FrameKey[]): Promise<void> {
  if (frames.length === 0) return;
  await db.sql.execute`
    DELETE FROM chat_log.outbox o
    USING unnest(${frames.map((f) => f.sessionId)}::uuid[], ${frames.map((f) => f.seq)}::int[]) AS p(session_id, seq)
    WHERE o.session_id = p.session_id AND o.seq = p.seq`;
}

/**
 * Released replies nobody published: chat-log stopped between commit and publish. Ties on
 * `released_at` (one transaction) are broken by seq, so a page never ends between two frames
 * of one session with the later one in it.
 */
export async function findUnpublished(db: Db, olderThanMs: number, limit: number): Promise<ReleasedReply[]> {
  const rows = await db.$queryRaw<ReleasedReply[]>`
    SELECT ${RELEASED_COLUMNS} FROM chat_log.outbox o
    JOIN chat_log.replies r ON r.session_id = o.session_id AND r.seq = o.seq
    WHERE r.released_at < now() - ${olderThanMs}::int * interval '1 millisecond'
    ORDER BY r.released_at, o.session_id, o.seq LIMIT ${limit}::int`;
  return rows.sort(bySessionThenSeq);
}

/**
 * Every released, unpublished reply whatever its age, a page at a time in (session, seq) order
 * after `after` (the last frame of the previous page): the drain at start-up. Paging by key
 * rather than by release time does not depend on the background marks having been written.
 */
export function findUnpublishedAfter(db: Db, after: FrameKey | null, limit: number): Promise<ReleasedReply[]> {
  const from = after ?? { sessionId: '00000000-0000-0000-0000-000000000000', seq: -1 };
  return db.$queryRaw<ReleasedReply[]>`
    SELECT ${RELEASED_COLUMNS} FROM chat_log.outbox o
    JOIN chat_log.replies r ON r.session_id = o.session_id AND r.seq = o.seq
    WHERE (o.session_id, o.seq) > (${from.sessionId}::uuid, ${from.seq}::int)
    ORDER BY o.session_id, o.seq LIMIT ${limit}::int`;
}
