import { Prisma } from '../generated/prisma/client';
import type { Db } from '../store/database';
import { transaction } from '../store/sql';
import { queueAgentEvents, type QueuedAgentEvent } from '../status/agent-outbox.repository';

/**
 * Every table that holds rows of a session besides `sessions`, children before parents. A table
 * added with a `session_id` column belongs here: the erase spec fails for any it leaves rows in.
 */
const SESSION_TABLES = ['outbox', 'replies', 'attachments', 'messages', 'waiting_sessions', 'summaries', 'status_outbox', 'agent_outbox'].map((table) => Prisma.raw(`chat_log.${table}`));

/**
 * Erases a conversation in one transaction: its messages, replies (feedback is a column of them),
 * attachment records (the caller removes their bytes), queued frames, waiting mark and summaries are
 * deleted, with status changes not yet told (handed rows, agent messages and status frames are replies); the session row stays as a
 * tombstone (owner, counters, `deleted_at`; the title is cleared, the handoff status is put back to
 * `bot` with no holder) so that nothing in flight can bring it back:
 * ingest refuses messages on it, the reply commit drops candidates for it (`erased`), and a
 * reply to an erased prompt is an orphan. The row is locked first, as every store and commit of
 * the session does, so a batch that raced in either committed before (and is erased here) or sees
 * the tombstone. The agents' consoles are told (`session_removed`, queued in the agent outbox in
 * place of the session's unpublished events): the event is returned for publishing. Null when the
 * account does not own a live session of that id.
 */
export function eraseConversation(db: Db, userId: string, sessionId: string): Promise<QueuedAgentEvent | null> {
  return transaction(db.pool, async (tx) => {
    const owned = await tx.query<Array<{ id: string }>>`
      SELECT id::text FROM chat_log.sessions
      WHERE id = ${sessionId}::uuid AND owner_id = ${userId}::uuid AND deleted_at IS NULL FOR UPDATE`;
    if (owned.length === 0) return null;
    for (const table of SESSION_TABLES) await tx.execute`DELETE FROM ${table} WHERE session_id = ${sessionId}::uuid`;
    // The handoff state goes too: no agent holds a tombstone, and a command in flight for it fails its compare-and-set.
    await tx.execute`
      UPDATE chat_log.sessions SET deleted_at = now(), title = NULL, updated_at = now(),
        status = 'bot', holder_id = NULL, status_version = status_version + 1, status_changed_at = now()
      WHERE id = ${sessionId}::uuid`;
    const removed: QueuedAgentEvent = {
      msgId: `${sessionId}:agent:removed`, event: { type: 'session_removed', session_id: sessionId, at: new Date().toISOString() },
    };
    await queueAgentEvents(tx, [removed]);
    return removed;
  });
}
