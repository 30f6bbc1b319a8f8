import { sharedPoolAdapter, type SqlPool } from '@chatbot/store';
import { PrismaClient } from '../generated/prisma/client';
import { sqlOn, type Sql } from './sql';

/** The Postgres schema every chat-log table lives in; raw SQL names it explicitly. */
export const DB_SCHEMA = 'chat_log';

/**
 * Prisma, and the same connections for the driver itself (sql.ts): `sql` runs one statement,
 * `pool` gives a transaction its connection. The driver carries the statements of every message
 * and reply and the conversation history read, which every LLM job waits for (docs/benchmarks.md).
 */
export type Db = PrismaClient & { readonly pool: SqlPool; readonly sql: Sql };

/**
 * The pool reconnects by itself: a connection lost while Postgres is down is dropped, and the next
 * query opens a new one, so the service catches up when the database returns.
 */
/** How long a statement or transaction waits for a connection: room for a 256-message batch while the pool is busy. */
const CONNECT_WAIT_MS = 5_000;

export function createDb(databaseUrl: string, poolSize: number, connectWaitMs = CONNECT_WAIT_MS): Db {
  const { pool, adapter } = sharedPoolAdapter(databaseUrl, DB_SCHEMA, { maxConnections: poolSize, connectWaitMs });
  return Object.assign(new PrismaClient({ adapter }), { pool, sql: sqlOn(pool) });
}

/** Readiness probe and the "is the database down?" question asked after a failed batch. */
export async function pingDb(db: Db): Promise<string> {
  await db.$queryRaw`SELECT 1`;
  return 'up';
}

export async function isDbReachable(db: Db): Promise<boolean> {
  try {
    await withTimeout(pingDb(db), 2_000);
    return true;
  } catch {
    return false;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

