import { Prisma } from '../generated/prisma/client';
import type { Db } from '../store/database';
import { bySessionThenSeq, RELEASED_COLUMNS, type ReleasedReply } from './frame.mapper';

/** A released frame, by its place in its session. */
export interface FrameKey {
  sessionId: string;
  seq: number;
}

/**
 * Queues released frames for publishing, a statement of the transaction that releases them
 * (after the statements that wrote them), and in the same statement the agent events of those
 * agents are told of (`toldToAgents`; new_message, as `frameEvent` builds them) in the agent outbox.
 */
export function queueForPublish(frames: readonly FrameKey[]): Prisma.Sql {
  return Prisma.sql`
    WITH keys AS (
      SELECT * FROM unnest(${frames.map((f) => f.sessionId)}::uuid[], ${frames.map((f) => f.seq)}::int[]) AS k(session_id, seq)
    ), agent_events AS (
      INSERT INTO chat_log.agent_outbox (msg_id, session_id, event)
      SELECT r.session_id::text || ':agent:frame:' || r.seq, r.session_id, ${FRAME_EVENT}
      FROM keys k JOIN chat_log.replies r ON r.session_id = k.session_id AND r.seq = k.seq
      WHERE r.sender IN ('agent', 'system') -- toldToAgents
      ORDER BY r.session_id, r.seq
      ON CONFLICT DO NOTHING
    )
    INSERT INTO chat_log.outbox (session_id, seq) SELECT session_id, seq FROM keys`;
}

/** `frameEvent`'s event, built from the reply row `r`: `at` in the same ISO form as `toISOString`. */
const FRAME_EVENT = Prisma.raw(`jsonb_build_object('type', 'new_message', 'session_id', r.session_id::text,
  'at', to_char(r.released_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'message_id', r.frame_message_id,
  'sender', CASE WHEN r.sender IN ('agent', 'system') THEN r.sender ELSE 'bot' END, 'message', r.message)`);

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
