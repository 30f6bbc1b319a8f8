import { PrismaPg } from '@prisma/adapter-pg';
import { connectionStringOf } from './database';

/**
 * The driver adapter every service's PrismaClient is built with. `@prisma/adapter-pg` ignores
 * `?schema=` in the URL, so the service's schema is passed explicitly.
 */
export function prismaAdapter(databaseUrl: string, schema: string, maxConnections = 10): PrismaPg {
  return new PrismaPg({ connectionString: connectionStringOf(databaseUrl), max: maxConnections }, { schema });
}
