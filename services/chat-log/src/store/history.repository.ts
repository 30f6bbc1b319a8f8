import type { HistoryTurn } from '@chatbot/proto';
import { Prisma } from '../generated/prisma/client';

/** A point of a conversation: the entries before `turn` of the session are asked for. */
export interface HistoryPoint {
  sessionId: string;
  turn: number;
}

export interface HistoryRow {
  session_id: string;
  before_turn: number;
  role: HistoryTurn['role'];
  content: string;
  message_id: string;
  at: Date;
}

/**
 * One SELECT for many points: for each, the session's last `limit` entries before that turn,
 * oldest first. An entry is a user message, or a reply released for it; a push sits after the
 * turn whose reply was released before it, a handoff push (an agent's message, a status change)
 * after the last turn stored when it was committed. Only turns in [turn - limit, turn) can hold those
 * entries, which bounds the scan (both tables are indexed by session and turn). The caller runs
 * it alone or after a statement of its own (`WITH … <this>`).
 */
export function historySelect(points: HistoryPoint[], limit: number): Prisma.Sql {
  const sessionIds = points.map((p) => p.sessionId);
  const turns = points.map((p) => p.turn);
  return Prisma.sql`
    SELECT q.session_id::text AS session_id, q.turn AS before_turn, h.role, h.content, h.message_id, h.at
    FROM unnest(${sessionIds}::uuid[], ${turns}::int[]) WITH ORDINALITY AS q(session_id, turn, ord)
    CROSS JOIN LATERAL (
      SELECT * FROM (
        SELECT 'user' AS role, m.text AS content, m.message_id, m.received_at AS at, m.turn AS pos, 0 AS rank, 0 AS seq
        FROM chat_log.messages m
        WHERE m.session_id = q.session_id AND m.turn < q.turn AND m.turn >= q.turn - ${limit}::int
        UNION ALL
        SELECT 'assistant', r.message, r.frame_message_id, r.released_at, p.pos, 1, r.seq
        FROM chat_log.replies r
        CROSS JOIN LATERAL (
          SELECT COALESCE(r.turn, r.after_turn, (SELECT max(x.turn) FROM chat_log.replies x
                                   WHERE x.session_id = r.session_id AND x.turn IS NOT NULL AND x.seq < r.seq), 0) AS pos
        ) p
        WHERE r.session_id = q.session_id AND r.seq IS NOT NULL
          AND (r.turn IS NULL OR (r.turn < q.turn AND r.turn >= q.turn - ${limit}::int))
          AND p.pos < q.turn AND p.pos >= q.turn - ${limit}::int
      ) items ORDER BY pos DESC, rank DESC, seq DESC LIMIT ${limit}::int
    ) h
    ORDER BY q.ord, h.pos, h.rank, h.seq`;
}

/** The rows of historySelect by point (`<session>:<turn>`), each list oldest first. */
export function historiesByPoint(rows: HistoryRow[]): Map<string, HistoryTurn[]> {
  const lists = new Map<string, HistoryTurn[]>();
  for (const row of rows) {
    const key = pointKey({ sessionId: row.session_id, turn: row.before_turn });
    const list = lists.get(key) ?? [];
    list.push({ role: row.role, content: row.content, message_id: row.message_id, at: row.at.toISOString() });
    lists.set(key, list);
  }
  return lists;
}

export const pointKey = (point: HistoryPoint): string => `${point.sessionId}:${point.turn}`;
