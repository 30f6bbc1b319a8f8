import type { ConversationList, ConversationListResult, ConversationStatus, ConversationSummary } from '@chatbot/proto';
import type { Db } from '../store/database';

const STATUSES: Record<ConversationList, ConversationStatus[]> = {
  active: ['bot', 'agent'],
  pending: ['waiting'],
  completed: ['completed'],
};

interface Row {
  id: string;
  status: ConversationStatus;
  version: number;
  holder_id: string | null;
  changed_at: Date;
  changed_key: string;
  created_at: Date;
  unread: number;
  last_sender: 'user' | 'bot' | 'agent' | 'system' | null;
  last_text: string | null;
  last_at: Date | null;
}

/** The position after a row: its change time (Postgres' full precision, as text) and id. */
const encodeCursor = (row: Row) => Buffer.from(JSON.stringify([row.changed_key, row.id])).toString('base64url');

function decodeCursor(cursor: string | undefined): [string, string] | null {
  if (cursor === undefined) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) return value as [string, string];
  } catch {
    // an unreadable cursor starts from the first page, as a missing one does
  }
  return null;
}

/**
 * One page of a list, newest status change first (keyset pagination on the change time and id).
 * Unread: messages handed to the agent with no agent message after them; the last message is
 * the newest user message or released frame.
 */
export async function listConversations(db: Db, list: ConversationList, limit: number, cursor?: string): Promise<ConversationListResult> {
  const after = decodeCursor(cursor);
  const rows = await db.sql.query<Row[]>`
    SELECT s.id::text, s.status, s.status_version AS version, s.holder_id::text AS holder_id,
      s.status_changed_at AS changed_at, s.status_changed_at::text AS changed_key, s.created_at,
      (SELECT count(*)::int FROM chat_log.replies h
        WHERE h.session_id = s.id AND h.kind = 'handed' AND h.turn > s.agent_answered_turn) AS unread,
      last.sender AS last_sender, last.text AS last_text, last.at AS last_at
    FROM chat_log.sessions s
    LEFT JOIN LATERAL (
      SELECT * FROM (
        (SELECT 'user' AS sender, m.text, m.received_at AS at FROM chat_log.messages m
          WHERE m.session_id = s.id ORDER BY m.turn DESC LIMIT 1)
        UNION ALL
        (SELECT COALESCE(r.sender, 'bot'), r.message, r.released_at FROM chat_log.replies r
          WHERE r.session_id = s.id AND r.seq IS NOT NULL ORDER BY r.seq DESC LIMIT 1)
      ) x ORDER BY at DESC LIMIT 1
    ) last ON true
    WHERE s.status = ANY(${STATUSES[list]}::text[])
      AND (${after === null}::boolean OR (s.status_changed_at, s.id) < (${after?.[0] ?? null}::timestamptz, ${after?.[1] ?? null}::uuid))
    ORDER BY s.status_changed_at DESC, s.id DESC
    LIMIT ${limit + 1}::int`;
  const page = rows.slice(0, limit);
  return { items: page.map(toSummary), next_cursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null };
}

function toSummary(row: Row): ConversationSummary {
  return {
    session_id: row.id,
    status: row.status,
    version: row.version,
    holder_id: row.holder_id,
    changed_at: row.changed_at.toISOString(),
    created_at: row.created_at.toISOString(),
    unread: row.unread,
    last_message: row.last_sender && row.last_at ? { sender: row.last_sender, text: row.last_text ?? '', at: row.last_at.toISOString() } : null,
  };
}
