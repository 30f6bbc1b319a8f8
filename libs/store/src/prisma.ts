import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { connectionStringOf } from './database';

export type SqlPool = Pool;

export interface PoolOptions {
  maxConnections?: number;
  /** How long a query or transaction waits for a connection before failing (0: no limit). */
  connectWaitMs?: number;
}

/**
 * The driver adapter every service's PrismaClient is built with. `@prisma/adapter-pg` ignores
 * `?schema=` in the URL, so the service's schema is passed explicitly.
 */
export function prismaAdapter(databaseUrl: string, schema: string, maxConnections = 10): PrismaPg {
  return sharedPoolAdapter(databaseUrl, schema, { maxConnections }).adapter;
}

/**
 * A pg pool and a Prisma adapter on it, for a service that also sends some queries straight to
 * the driver: Prisma's query machinery costs about 1 ms of CPU per raw query (docs/benchmarks.md).
 * Disconnecting the Prisma client ends the pool.
 */
export function sharedPoolAdapter(databaseUrl: string, schema: string, options: PoolOptions = {}): { pool: SqlPool; adapter: PrismaPg } {
  const { maxConnections = 10, connectWaitMs = 0 } = options;
  const pool = new Pool({ connectionString: connectionStringOf(databaseUrl), max: maxConnections, connectionTimeoutMillis: connectWaitMs });
  // An idle connection Postgres closes (a restart, an admin) is an 'error' on the pool, which
  // drops it; the next query opens a new one. Unhandled, it would end the process, and Prisma
  // only listens once it has run a query, while the driver may go first.
  pool.on('error', () => undefined);
  return { pool, adapter: new PrismaPg(pool, { schema, disposeExternalPool: true }) };
}
