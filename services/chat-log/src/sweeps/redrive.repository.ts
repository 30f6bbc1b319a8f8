import type { Db } from '../store/database';

export interface UnansweredTurn {
  sessionId: string;
  messageId: string;
  turn: number;
  text: string;
  receivedAt: Date;
  systemPrompt: string | null;
}

/**
 * Stored turns still waiting for a reply (none committed) that were stored more than `afterMs`
 * and less than `deadlineMs` ago, oldest first: the candidates for a re-drive. Only the waiting
 * sessions are looked at.
 */
export function findUnansweredTurns(db: Db, afterMs: number, deadlineMs: number, limit: number): Promise<UnansweredTurn[]> {
  return db.$queryRaw<UnansweredTurn[]>`
    SELECT m.session_id::text AS "sessionId", m.message_id AS "messageId", m.turn, m.text,
      m.received_at AS "receivedAt", m.system_prompt AS "systemPrompt"
    FROM chat_log.waiting_sessions w
    JOIN chat_log.sessions s ON s.id = w.session_id
    JOIN chat_log.messages m ON m.session_id = s.id AND m.turn > s.released_turn
    LEFT JOIN chat_log.replies r ON r.prompt_message_id = m.message_id
    WHERE s.next_turn > s.released_turn + 1
      AND r.id IS NULL
      AND m.stored_at < now() - ${afterMs}::int * interval '1 millisecond'
      AND m.stored_at > now() - ${deadlineMs}::int * interval '1 millisecond'
    ORDER BY m.stored_at LIMIT ${limit}::int`;
}
