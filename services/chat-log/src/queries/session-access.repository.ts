import type { Db } from '../store/database';
import { sessionAccessOf, type SessionAccess } from '../store/session-access';

/** Who may open a session, from its row (see sessionAccessOf). */
export async function accessTo(db: Db, sessionId: string, userId: string | null): Promise<SessionAccess> {
  const row = await db.session.findUnique({ where: { id: sessionId }, select: { ownerId: true, nextTurn: true, deletedAt: true } });
  return sessionAccessOf(row ? { ownerId: row.ownerId, nextTurn: row.nextTurn, deleted: row.deletedAt !== null } : undefined, userId);
}
