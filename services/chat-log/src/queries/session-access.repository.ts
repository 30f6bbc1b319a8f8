import type { SessionAccessResult } from '@chatbot/proto';
import type { Db } from '../store/database';

type SessionAccess = SessionAccessResult['access'];

/**
 * Who may use a session, while sessions have no owner column: one chat-log has not seen, or that
 * stored no message yet, is `new`; any other is `anonymous` (nobody can be its `owner` yet).
 */
export async function accessTo(db: Db, sessionId: string, _userId: string | null): Promise<SessionAccess> {
  const row = await db.session.findUnique({ where: { id: sessionId }, select: { nextTurn: true } });
  return !row || row.nextTurn === 1 ? 'new' : 'anonymous';
}
