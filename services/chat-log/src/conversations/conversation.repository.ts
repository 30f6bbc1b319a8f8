import { randomUUID } from 'node:crypto';
import type { Conversation } from '@chatbot/proto';
import type { Db } from '../store/database';
import { titleFromMessage } from './title';

/** A session as the conversation endpoints read it: the chosen title, else its first message. */
interface ConversationRow {
  id: string;
  title: string | null;
  first_text: string | null;
  created_at: Date;
  updated_at: Date;
}

export function toConversation(row: ConversationRow): Conversation {
  const title = row.title ?? (row.first_text === null ? null : titleFromMessage(row.first_text));
  return { session_id: row.id, title, created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString() };
}

export async function createConversation(db: Db, userId: string, title: string | null): Promise<Conversation> {
  const [row] = await db.$queryRaw<ConversationRow[]>`
    INSERT INTO chat_log.sessions (id, owner_id, title) VALUES (${randomUUID()}::uuid, ${userId}::uuid, ${title})
    RETURNING id::text, title, NULL::text AS first_text, created_at, updated_at`;
  return toConversation(row);
}

/** The owner's sessions, newest first (index sessions_owner_updated_idx), and how many there are. */
export async function listConversations(db: Db, userId: string, limit: number, offset: number): Promise<{ rows: Conversation[]; total: number }> {
  const rows = await db.$queryRaw<ConversationRow[]>`
    SELECT s.id::text, s.title, m.text AS first_text, s.created_at, s.updated_at
    FROM chat_log.sessions s
    LEFT JOIN chat_log.messages m ON m.session_id = s.id AND m.turn = 1
    WHERE s.owner_id = ${userId}::uuid AND s.deleted_at IS NULL
    ORDER BY s.updated_at DESC, s.id LIMIT ${limit}::int OFFSET ${offset}::int`;
  const [{ total }] = await db.$queryRaw<Array<{ total: number }>>`
    SELECT count(*)::int AS total FROM chat_log.sessions WHERE owner_id = ${userId}::uuid AND deleted_at IS NULL`;
  return { rows: rows.map(toConversation), total };
}

/** The session if this account owns it and it is not deleted; null otherwise, whoever else owns it. */
export async function ownedConversation(db: Db, userId: string, sessionId: string): Promise<Conversation | null> {
  const [row] = await db.$queryRaw<ConversationRow[]>`
    SELECT s.id::text, s.title, m.text AS first_text, s.created_at, s.updated_at
    FROM chat_log.sessions s
    LEFT JOIN chat_log.messages m ON m.session_id = s.id AND m.turn = 1
    WHERE s.id = ${sessionId}::uuid AND s.owner_id = ${userId}::uuid AND s.deleted_at IS NULL`;
  return row ? toConversation(row) : null;
}

export async function renameConversation(db: Db, userId: string, sessionId: string, title: string): Promise<Conversation | null> {
  const [row] = await db.$queryRaw<ConversationRow[]>`
    UPDATE chat_log.sessions s SET title = ${title}, updated_at = now()
    WHERE s.id = ${sessionId}::uuid AND s.owner_id = ${userId}::uuid AND s.deleted_at IS NULL
    RETURNING s.id::text, s.title, NULL::text AS first_text, s.created_at, s.updated_at`;
  return row ? toConversation(row) : null;
}
