import { Prisma } from '../generated/prisma/client';
import type { Tx } from './sql';

/** Ids of sessions this process has seen a row of: at most this many, the oldest forgotten first. */
const KNOWN_LIMIT = 50_000;
const known = new Map<string, true>();

/**
 * Locks the rows of `ids` (`select`: a `SELECT … FOR UPDATE` of them in id order, each row with
 * its `id`) and runs `reads` after the lock, in one round trip. Sessions not seen before are
 * upserted first (in id order, so concurrent replicas cannot deadlock): `FOR UPDATE` neither sees
 * nor waits for a row another transaction inserted and has not committed yet, while the insert
 * waits for that transaction to end. A session whose row this process has seen is not upserted
 * again. That is safe because a session row is never deleted (erasing a conversation clears its
 * other rows and marks the session), so "a row exists" stays true in every instance, and the lock
 * reads every column it decides on each time; only a row seen in a transaction that then rolled
 * back (or a test that empties the table) is missed, and then it is upserted and locked again.
 */
export async function lockSessions<S extends { id: string }>(
  tx: Tx, ids: string[], select: Prisma.Sql, reads: Prisma.Sql[],
): Promise<{ sessions: S[]; reads: unknown[][] }> {
  const fresh = ids.filter((id) => !known.has(id));
  let [sessions, ...results] = await withUpsert(tx, fresh, [select, ...reads]);
  if (sessions.length < ids.length) {
    const found = new Set((sessions as S[]).map((s) => s.id));
    const missing = ids.filter((id) => !found.has(id));
    for (const id of missing) known.delete(id);
    [sessions, ...results] = await withUpsert(tx, missing, [select, ...reads]);
  }
  remember(ids);
  return { sessions: sessions as S[], reads: results };
}

async function withUpsert(tx: Tx, fresh: string[], statements: Prisma.Sql[]): Promise<unknown[][]> {
  if (fresh.length === 0) return tx.batch(statements);
  const upsert = Prisma.sql`INSERT INTO chat_log.sessions (id) SELECT unnest(${[...fresh].sort()}::uuid[]) ORDER BY 1 ON CONFLICT DO NOTHING`;
  return (await tx.batch([upsert, ...statements])).slice(1);
}

function remember(ids: string[]): void {
  for (const id of ids) {
    known.delete(id);
    known.set(id, true);
  }
  for (const id of known.keys()) {
    if (known.size <= KNOWN_LIMIT) break;
    known.delete(id);
  }
}
