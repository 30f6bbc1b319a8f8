import type { Db } from './database';
import { bySessionThenSeq, RELEASED_COLUMNS, type ReleasedReply } from './frame.mapper';

export async function markPublished(db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.$executeRaw`
    UPDATE chat_log.replies SET published_at = now() WHERE id = ANY(${ids}::uuid[]) AND published_at IS NULL`;
}

/**
 * Released replies nobody published: chat-log stopped between commit and publish. Ties on
 * `released_at` (one transaction) are broken by seq, so a page never ends between two frames
 * of one session with the later one in it.
 */
export async function findUnpublished(db: Db, olderThanMs: number, limit: number): Promise<ReleasedReply[]> {
  const rows = await db.$queryRaw<ReleasedReply[]>`
    SELECT ${RELEASED_COLUMNS} FROM chat_log.replies r
    WHERE r.published_at IS NULL AND r.seq IS NOT NULL
      AND r.released_at < now() - ${olderThanMs}::int * interval '1 millisecond'
    ORDER BY r.released_at, r.session_id, r.seq LIMIT ${limit}::int`;
  return rows.sort(bySessionThenSeq);
}

/** Where a page of `findUnpublishedAfter` ended: the last frame it returned. */
export interface OutboxCursor {
  sessionId: string;
  seq: number;
}

/**
 * Every released, unpublished reply whatever its age, a page at a time in (session, seq) order:
 * the drain at start-up. Paging by key rather than by `published_at` does not depend on the
 * background marks having been written.
 */
export function findUnpublishedAfter(db: Db, after: OutboxCursor | null, limit: number): Promise<ReleasedReply[]> {
  const from = after ?? { sessionId: '00000000-0000-0000-0000-000000000000', seq: -1 };
  return db.$queryRaw<ReleasedReply[]>`
    SELECT ${RELEASED_COLUMNS} FROM chat_log.replies r
    WHERE r.published_at IS NULL AND r.seq IS NOT NULL
      AND (r.session_id, r.seq) > (${from.sessionId}::uuid, ${from.seq}::int)
    ORDER BY r.session_id, r.seq LIMIT ${limit}::int`;
}
