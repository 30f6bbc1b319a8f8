import { ToolName, type AgentHistoryItem, type AgentHistoryPage, type HistoryItem } from '@chatbot/proto';
import { AppError } from '@chatbot/runtime';
import type { Db } from '../store/database';
import { attachmentsOf } from '../attachments/attachment.repository';

/** An entry's place in its conversation: its turn, then a message before its reply, then frame order. */
interface Place {
  pos: number;
  rank: number;
  seq: number;
}

interface EntryRow extends Place {
  role: HistoryItem['role'];
  message_id: string;
  content: string;
  at: Date;
  is_reply: boolean;
  login_required: boolean | null;
  card_list: unknown;
  related_questions: unknown;
  tool_name: string | null;
  is_helpful: boolean | null;
}

export interface HistoryPage {
  entries: HistoryItem[];
  total: number;
}

/** Where a page starts: after skipping the `offset` newest entries, or before a place (null: from the newest). */
type Start = { offset: number } | { before: Place | null };

/**
 * The user's page of a conversation counted from its newest entry: `offset` newest entries
 * skipped, then `limit`, returned oldest first, each user message with its attachments' ids.
 */
export async function historyPage(db: Db, sessionId: string, limit: number, offset: number): Promise<HistoryPage> {
  const rows = await entryRows(db, sessionId, limit, { offset });
  const [{ total }] = await db.$queryRaw<Array<{ total: number }>>`
    SELECT ((SELECT count(*) FROM chat_log.messages WHERE session_id = ${sessionId}::uuid)
          + (SELECT count(*) FROM chat_log.replies WHERE session_id = ${sessionId}::uuid AND seq IS NOT NULL))::int AS total`;
  const entries = rows.reverse().map(toItem);
  const linked = await attachmentsOf(db, userMessageIds(entries));
  const withIds = (e: HistoryItem): HistoryItem => {
    const list = e.role === 'user' ? linked.get(e.message_id) : undefined;
    return list ? { ...e, attachment_ids: list.map((a) => a.attachment_id) } : e;
  };
  return { entries: entries.map(withIds), total };
}

/**
 * The agents' page of any conversation chat-log knows (E4005 otherwise): the `limit` entries before the cursor's place (the newest
 * without one), oldest first, each user message with its attachments described. Keyed by place,
 * not offset, so entries stored while an agent reads do not shift the older pages.
 */
export async function agentHistoryPage(db: Db, sessionId: string, limit: number, cursor?: string): Promise<AgentHistoryPage> {
  const known = await db.sql.query<Array<{ id: string }>>`
    SELECT id::text FROM chat_log.sessions WHERE id = ${sessionId}::uuid AND deleted_at IS NULL`;
  // An erased conversation is a tombstone, as for the other agents' requests: nobody's to read.
  if (known.length === 0) throw new AppError('E4005');
  const rows = await entryRows(db, sessionId, limit + 1, { before: cursor === undefined ? null : placeOf(cursor) });
  const page = rows.slice(0, limit);
  const entries = page.map(toItem).reverse();
  const linked = await attachmentsOf(db, userMessageIds(entries));
  const messages = entries.map((e): AgentHistoryItem => {
    const list = e.role === 'user' ? linked.get(e.message_id) : undefined;
    return list ? { ...e, attachments: list } : e;
  });
  return { messages, next_cursor: rows.length > limit ? cursorOf(page[page.length - 1]!) : null };
}

/**
 * Entries newest first. Entries are user messages and released replies, in the order the user saw
 * them (a message, then its reply; a push after the turn released before it), as
 * `chatlog.history.v1` orders them. A reply by a human agent (source `agent`) has role `agent`.
 */
function entryRows(db: Db, sessionId: string, limit: number, start: Start): Promise<EntryRow[]> {
  const before = 'before' in start ? start.before : null;
  const offset = 'offset' in start ? start.offset : 0;
  return db.$queryRaw<EntryRow[]>`
    SELECT role, message_id, content, at, is_reply, login_required, card_list, related_questions, tool_name, is_helpful, pos, rank, seq FROM (
      SELECT 'user' AS role, m.message_id, m.text AS content, m.received_at AS at, false AS is_reply,
        NULL::boolean AS login_required, NULL::jsonb AS card_list, NULL::jsonb AS related_questions, NULL::text AS tool_name,
        NULL::boolean AS is_helpful, m.turn AS pos, 0 AS rank, 0 AS seq
      FROM chat_log.messages m WHERE m.session_id = ${sessionId}::uuid
      UNION ALL
      SELECT CASE WHEN r.source = 'agent' THEN 'agent' ELSE 'assistant' END, r.frame_message_id, r.message, r.released_at, true,
        r.login_required, r.card_list, r.related_questions, r.tool_name, r.is_helpful,
        COALESCE(r.turn, (SELECT max(x.turn) FROM chat_log.replies x
                          WHERE x.session_id = r.session_id AND x.turn IS NOT NULL AND x.seq < r.seq), 0), 1, r.seq
      FROM chat_log.replies r WHERE r.session_id = ${sessionId}::uuid AND r.seq IS NOT NULL
    ) entries
    WHERE ${before === null}::boolean OR (pos, rank, seq) < (${before?.pos ?? 0}::int, ${before?.rank ?? 0}::int, ${before?.seq ?? 0}::int)
    ORDER BY pos DESC, rank DESC, seq DESC LIMIT ${limit}::int OFFSET ${offset}::int`;
}

const userMessageIds = (entries: HistoryItem[]) => entries.filter((e) => e.role === 'user').map((e) => e.message_id);

const cursorOf = (row: Place): string => Buffer.from(JSON.stringify([row.pos, row.rank, row.seq])).toString('base64url');

/** A cursor this service wrote; anything else is E4001 (a guessed place could skip or repeat entries). */
function placeOf(cursor: string): Place {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = null;
  }
  if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => Number.isSafeInteger(v))) throw new AppError('E4001', 'cursor: as given by next_cursor');
  const [pos, rank, seq] = value as number[];
  return { pos: pos!, rank: rank!, seq: seq! };
}

const stringList = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;

function toItem(row: EntryRow): HistoryItem {
  const item: HistoryItem = { message_id: row.message_id, role: row.role, content: row.content, created_at: row.at.toISOString() };
  if (!row.is_reply) return item;
  const cardList = stringList(row.card_list);
  const relatedQuestions = stringList(row.related_questions);
  const tool = ToolName.safeParse(row.tool_name);
  return {
    ...item,
    login_required: row.login_required ?? false,
    ...(cardList ? { card_list: cardList } : {}),
    ...(relatedQuestions ? { related_questions: relatedQuestions } : {}),
    ...(tool.success ? { tool_name: tool.data } : {}),
    feedback: row.is_helpful,
  };
}
