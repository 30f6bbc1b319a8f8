import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { connectionStringOf } from './database';

export type SqlPool = Pool;

/**
 * The driver adapter every service's PrismaClient is built with. `@prisma/adapter-pg` ignores
 * `?schema=` in the URL, so the service's schema is passed explicitly.
 */
export function prismaAdapter(databaseUrl: string, schema: string, maxConnections = 10): PrismaPg {
  return new PrismaPg({ connectionString: connectionStringOf(databaseUrl), max: maxConnections }, { schema });
}

/**
 * A pg pool and a Prisma adapter on it, for a service that also sends some queries straight to
 * the driver: Prisma's query machinery costs about 1 ms of CPU per raw query (docs/benchmarks.md).
 * Disconnecting the Prisma client ends the pool.
 */
export function sharedPoolAdapter(databaseUrl: string, schema: string, maxConnections = 10): { pool: SqlPool; adapter: PrismaPg } {
  const pool = new Pool({ connectionString: connectionStringOf(databaseUrl), max: maxConnections });
  return { pool, adapter: new PrismaPg(pool, { schema, disposeExternalPool: true }) };
}
