import type { SessionAccessResult } from '@chatbot/proto';

export type SessionAccess = SessionAccessResult['access'];

/** What decides who may write to a session, as its row says. */
export interface SessionOwnership {
  ownerId: string | null;
  /** 1 while the session has stored no message. */
  nextTurn: number;
  /** Deleted by its owner: a tombstone nobody may use again. */
  deleted: boolean;
}

/**
 * Who may use a session. Unknown, or known but with no message and no owner (a reply or a frames
 * request can create the row first): `new`, and the first sender takes it. A deleted session is
 * nobody's to use: `other`, whoever asks.
 */
export function sessionAccessOf(row: SessionOwnership | undefined, userId: string | null): SessionAccess {
  if (!row) return 'new';
  if (row.deleted) return 'other';
  if (row.ownerId === null) return row.nextTurn === 1 ? 'new' : 'anonymous';
  return row.ownerId === userId ? 'owner' : 'other';
}

/** A message may be stored by the owner, by anyone on a new session, and anonymously on an anonymous one. */
export function maySend(access: SessionAccess, userId: string | null): boolean {
  return access === 'new' || access === 'owner' || (access === 'anonymous' && userId === null);
}
