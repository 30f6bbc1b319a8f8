import type { ChatStatusChangedV1, ConversationStatus } from '@chatbot/proto';
import type { Db } from '../store/database';
import type { Sql } from '../store/sql';

/** One committed transition, as chat.status.changed.v1 tells it. */
export interface StatusChange {
  sessionId: string;
  from: ConversationStatus;
  to: ConversationStatus;
  /** The status version after the transition. */
  version: number;
  actorId: string | null;
  changedAt: Date;
}

export const toStatusEvent = (change: StatusChange): ChatStatusChangedV1 => ({
  session_id: change.sessionId,
  from: change.from,
  to: change.to,
  version: change.version,
  at: change.changedAt.toISOString(),
  ...(change.actorId === null ? {} : { actor_id: change.actorId }),
});

/** The broker's de-duplication id of a status event: one event per transition, however often it is published. */
export const statusMsgId = (change: Pick<StatusChange, 'sessionId' | 'version'>): string => `${change.sessionId}:status:${change.version}`;

/** Queues transitions for publishing, inside the transaction that commits them. */
export async function queueStatusChanges(tx: Sql, changes: readonly StatusChange[]): Promise<void> {
  if (changes.length === 0) return;
  await tx.execute`
    INSERT INTO chat_log.status_outbox (session_id, version, from_status, to_status, actor_id, changed_at)
    SELECT * FROM unnest(
      ${changes.map((c) => c.sessionId)}::uuid[], ${changes.map((c) => c.version)}::int[],
      ${changes.map((c) => c.from)}::text[], ${changes.map((c) => c.to)}::text[],
      ${changes.map((c) => c.actorId)}::uuid[], ${changes.map((c) => c.changedAt)}::timestamptz[])
    ON CONFLICT DO NOTHING`;
}

export async function markStatusPublished(db: Db, changes: readonly StatusChange[]): Promise<void> {
  if (changes.length === 0) return;
  await db.sql.execute`
    DELETE FROM chat_log.status_outbox o
    USING unnest(${changes.map((c) => c.sessionId)}::uuid[], ${changes.map((c) => c.version)}::int[]) AS p(session_id, version)
    WHERE o.session_id = p.session_id AND o.version = p.version`;
}

/** Transitions committed at least `olderThanMs` ago and never published, oldest first. */
export async function findUnpublishedChanges(db: Db, olderThanMs: number, limit: number): Promise<StatusChange[]> {
  const rows = await db.sql.query<Array<{
    session_id: string; version: number; from_status: ConversationStatus; to_status: ConversationStatus; actor_id: string | null; changed_at: Date;
  }>>`
    SELECT session_id::text, version, from_status, to_status, actor_id::text, changed_at FROM chat_log.status_outbox
    WHERE changed_at <= now() - ${olderThanMs}::int * interval '1 millisecond'
    ORDER BY changed_at, session_id, version LIMIT ${limit}::int`;
  return rows.map((r) => ({
    sessionId: r.session_id, from: r.from_status, to: r.to_status, version: r.version, actorId: r.actor_id, changedAt: r.changed_at,
  }));
}
