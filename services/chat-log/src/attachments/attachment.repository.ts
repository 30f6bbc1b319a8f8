import type { AttachmentRecord, AttachmentSummary, AttachmentType } from '@chatbot/proto';
import { AppError } from '@chatbot/runtime';
import { Prisma } from '../generated/prisma/client';
import type { Db } from '../store/database';
import { transaction } from '../store/sql';

/** How many uploads, and how many stored bytes, one account may add in a day. */
export interface DailyCap {
  uploads: number;
  bytes: number;
}

interface AttachmentRow {
  id: string;
  owner_id: string;
  session_id: string;
  name: string;
  size: bigint;
  sha256: string;
  content_type: AttachmentType;
  created_at: Date;
  message_id: string | null;
}

const COLUMNS = Prisma.raw('id::text, owner_id::text, session_id::text, name, size, sha256, content_type, created_at, message_id');

/**
 * Records an upload as pending, unless its owner reached the daily cap (E4043): the uploads
 * started in the last 24 hours (pending ones count, so cut-off uploads cannot be repeated without
 * end) and the bytes of those that completed. The owner's lock serialises two uploads at once.
 */
export function createPending(db: Db, row: { id: string; ownerId: string; sessionId: string; name: string }, cap: DailyCap): Promise<void> {
  return transaction(db.pool, async (tx) => {
    await tx.execute`SELECT pg_advisory_xact_lock(hashtext(${row.ownerId}))`;
    const [used] = await tx.query<Array<{ uploads: number; bytes: string }>>`
      SELECT count(*)::int AS uploads, COALESCE(sum(size), 0)::text AS bytes FROM chat_log.attachments
      WHERE owner_id = ${row.ownerId}::uuid AND created_at > now() - interval '1 day'`;
    if (used!.uploads >= cap.uploads || Number(used!.bytes) >= cap.bytes) throw new AppError('E4043');
    await tx.execute`
      INSERT INTO chat_log.attachments (id, owner_id, session_id, name) VALUES (${row.id}::uuid, ${row.ownerId}::uuid, ${row.sessionId}::uuid, ${row.name})`;
  });
}

/** Makes a pending attachment complete; E4044 when there is no pending row (swept, or completed before). */
export async function complete(db: Db, done: { id: string; size: number; sha256: string; contentType: AttachmentType }): Promise<AttachmentRecord> {
  const rows = await db.sql.query<AttachmentRow[]>`
    UPDATE chat_log.attachments SET state = 'complete', size = ${done.size}::bigint, sha256 = ${done.sha256},
      content_type = ${done.contentType}, completed_at = now()
    WHERE id = ${done.id}::uuid AND state = 'pending'
    RETURNING ${COLUMNS}`;
  if (!rows[0]) throw new AppError('E4044');
  return toRecord(rows[0]);
}

/** A complete attachment; E4044 for a pending or unknown one. */
export async function findComplete(db: Db, id: string): Promise<AttachmentRecord> {
  const rows = await db.sql.query<AttachmentRow[]>`
    SELECT ${COLUMNS} FROM chat_log.attachments WHERE id = ${id}::uuid AND state = 'complete'`;
  if (!rows[0]) throw new AppError('E4044');
  return toRecord(rows[0]);
}

/**
 * Links newly stored messages to the attachments they reference: only complete ones, of the same
 * session, uploaded by the sender, not linked yet. Any other id is left alone (the message is
 * stored all the same). The statement, for the batch that stores the messages.
 */
export function linkStatement(links: Array<{ messageId: string; sessionId: string; senderId: string; ids: string[] }>): Prisma.Sql | null {
  if (links.length === 0) return null;
  const json = JSON.stringify(links.flatMap((l) => l.ids.map((id) => ({ id, message_id: l.messageId, session_id: l.sessionId, owner_id: l.senderId }))));
  return Prisma.sql`
    UPDATE chat_log.attachments a SET message_id = r.message_id
    FROM jsonb_to_recordset(${json}::jsonb) AS r(id uuid, message_id text, session_id uuid, owner_id uuid)
    WHERE a.id = r.id AND a.session_id = r.session_id AND a.owner_id = r.owner_id AND a.state = 'complete' AND a.message_id IS NULL`;
}

/** The attachments linked to these messages, by message id, oldest first. */
export async function attachmentsOf(db: Db, messageIds: string[]): Promise<Map<string, AttachmentSummary[]>> {
  if (messageIds.length === 0) return new Map();
  const rows = await db.sql.query<Array<{ id: string; message_id: string; name: string; size: bigint; content_type: AttachmentType }>>`
    SELECT id::text, message_id, name, size, content_type FROM chat_log.attachments
    WHERE message_id = ANY(${messageIds}::text[]) ORDER BY completed_at, id`;
  const byMessage = new Map<string, AttachmentSummary[]>();
  for (const row of rows) {
    const summary = { attachment_id: row.id, name: row.name, size: Number(row.size), content_type: row.content_type };
    byMessage.set(row.message_id, [...(byMessage.get(row.message_id) ?? []), summary]);
  }
  return byMessage;
}

/** The ids of the attachments linked to these messages, by message id. */
export async function attachmentIdsOf(db: Db, messageIds: string[]): Promise<Map<string, string[]>> {
  const linked = await attachmentsOf(db, messageIds);
  return new Map([...linked].map(([messageId, list]) => [messageId, list.map((a) => a.attachment_id)]));
}

/** Every attachment of a session, pending or complete (whose bytes a deleted conversation takes along). */
export async function attachmentIdsOfSession(db: Db, sessionId: string): Promise<string[]> {
  const rows = await db.sql.query<Array<{ id: string }>>`SELECT id::text FROM chat_log.attachments WHERE session_id = ${sessionId}::uuid`;
  return rows.map((r) => r.id);
}

/** Pending attachments older than `graceMs`: uploads cut off half-way. */
export async function stalePending(db: Db, graceMs: number, limit: number): Promise<string[]> {
  const rows = await db.sql.query<Array<{ id: string }>>`
    SELECT id::text FROM chat_log.attachments
    WHERE state = 'pending' AND created_at < now() - make_interval(secs => ${graceMs / 1000}::float8) ORDER BY created_at LIMIT ${limit}::int`;
  return rows.map((r) => r.id);
}

/** Complete attachments whose upload completed more than `days` ago, oldest first. */
export async function expiredComplete(db: Db, days: number, limit: number): Promise<string[]> {
  const rows = await db.sql.query<Array<{ id: string }>>`
    SELECT id::text FROM chat_log.attachments
    WHERE state = 'complete' AND completed_at < now() - make_interval(days => ${days}::int) ORDER BY completed_at LIMIT ${limit}::int`;
  return rows.map((r) => r.id);
}

/** Removes an attachment's row, whatever its state (its bytes are gone). */
export async function removeAttachment(db: Db, id: string): Promise<void> {
  await db.sql.execute`DELETE FROM chat_log.attachments WHERE id = ${id}::uuid`;
}

/** Removes a pending row (its bytes are gone); a row completed meanwhile stays. */
export async function removePending(db: Db, id: string): Promise<void> {
  await db.sql.execute`DELETE FROM chat_log.attachments WHERE id = ${id}::uuid AND state = 'pending'`;
}

function toRecord(row: AttachmentRow): AttachmentRecord {
  return {
    attachment_id: row.id,
    owner_id: row.owner_id,
    session_id: row.session_id,
    name: row.name,
    size: Number(row.size),
    sha256: row.sha256,
    content_type: row.content_type,
    created_at: row.created_at.toISOString(),
    message_id: row.message_id,
  };
}
