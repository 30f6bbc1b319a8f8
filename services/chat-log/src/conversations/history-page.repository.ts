import { ToolName, type HistoryItem } from '@chatbot/proto';
import type { Db } from '../store/database';

interface EntryRow {
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

/**
 * A page of a conversation counted from its newest entry: `offset` newest entries skipped, then
 * `limit`, returned oldest first. Entries are user messages and released replies, in the order the
 * user saw them (a message, then its reply; a push after the turn released before it), as
 * `chatlog.history.v1` orders them. A reply by a human agent (source `agent`) has role `agent`.
 */
export async function historyPage(db: Db, sessionId: string, limit: number, offset: number): Promise<HistoryPage> {
  const rows = await db.$queryRaw<EntryRow[]>`
    SELECT role, message_id, content, at, is_reply, login_required, card_list, related_questions, tool_name, is_helpful FROM (
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
    ORDER BY pos DESC, rank DESC, seq DESC LIMIT ${limit}::int OFFSET ${offset}::int`;
  const [{ total }] = await db.$queryRaw<Array<{ total: number }>>`
    SELECT ((SELECT count(*) FROM chat_log.messages WHERE session_id = ${sessionId}::uuid)
          + (SELECT count(*) FROM chat_log.replies WHERE session_id = ${sessionId}::uuid AND seq IS NOT NULL))::int AS total`;
  return { entries: rows.reverse().map(toItem), total };
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
