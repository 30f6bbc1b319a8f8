import type { Db } from '../store/database';
import { transaction } from '../store/sql';

/**
 * Erases a conversation in one transaction: its messages, replies (feedback is a column of them),
 * queued frames and its waiting mark are deleted; the session row stays as a tombstone (owner,
 * counters, `deleted_at`; the title is cleared) so that nothing in flight can bring it back:
 * ingest refuses messages on it, the reply commit drops candidates for it (`erased`), and a
 * reply to an erased prompt is an orphan. The row is locked first, as every store and commit of
 * the session does, so a batch that raced in either committed before (and is erased here) or sees
 * the tombstone. False when the account does not own a live session of that id.
 */
export function eraseConversation(db: Db, userId: string, sessionId: string): Promise<boolean> {
  return transaction(db.pool, async (tx) => {
    const owned = await tx.query<Array<{ id: string }>>`
      SELECT id::text FROM chat_log.sessions
      WHERE id = ${sessionId}::uuid AND owner_id = ${userId}::uuid AND deleted_at IS NULL FOR UPDATE`;
    if (owned.length === 0) return false;
    await tx.execute`DELETE FROM chat_log.outbox WHERE session_id = ${sessionId}::uuid`;
    await tx.execute`DELETE FROM chat_log.replies WHERE session_id = ${sessionId}::uuid`;
    await tx.execute`DELETE FROM chat_log.messages WHERE session_id = ${sessionId}::uuid`;
    await tx.execute`DELETE FROM chat_log.waiting_sessions WHERE session_id = ${sessionId}::uuid`;
    await tx.execute`
      UPDATE chat_log.sessions SET deleted_at = now(), title = NULL, updated_at = now() WHERE id = ${sessionId}::uuid`;
    return true;
  });
}
