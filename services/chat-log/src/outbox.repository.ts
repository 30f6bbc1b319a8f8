import type { Db } from './database';
import { bySessionThenSeq, RELEASED_COLUMNS, type ReleasedReply } from './frame.mapper';

export async function markPublished(db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.$executeRaw`
    UPDATE chat_log.replies SET published_at = now() WHERE id = ANY(${ids}::uuid[]) AND published_at IS NULL`;
}

/** Released replies nobody published: chat-log stopped between commit and publish. */
export async function findUnpublished(db: Db, olderThanMs: number, limit: number): Promise<ReleasedReply[]> {
  const rows = await db.$queryRaw<ReleasedReply[]>`
    SELECT ${RELEASED_COLUMNS} FROM chat_log.replies r
    WHERE r.published_at IS NULL AND r.seq IS NOT NULL
      AND r.released_at < now() - ${olderThanMs}::int * interval '1 millisecond'
    ORDER BY r.released_at LIMIT ${limit}::int`;
  return rows.sort(bySessionThenSeq);
}
