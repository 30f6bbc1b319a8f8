import { sharedPoolAdapter, type SqlPool } from '@chatbot/store';
import { PrismaClient } from './generated/prisma/client';

/** The Postgres schema every chat-log table lives in; raw SQL names it explicitly. */
export const DB_SCHEMA = 'chat_log';

/**
 * Prisma, and `sql`: the same connections for the driver itself, used by the statements of
 * every message and reply (sql.ts) and by the conversation history read, which every LLM job
 * waits for before its model call (docs/benchmarks.md).
 */
export type Db = PrismaClient & { readonly sql: SqlPool };

/**
 * The pool reconnects by itself: a connection lost while Postgres is down is dropped, and the next
 * query opens a new one, so the service catches up when the database returns.
 */
export function createDb(databaseUrl: string, poolSize: number): Db {
  const { pool, adapter } = sharedPoolAdapter(databaseUrl, DB_SCHEMA, poolSize);
  return Object.assign(new PrismaClient({ adapter }), { sql: pool });
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

