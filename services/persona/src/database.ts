import { prismaAdapter } from '@chatbot/store';
import { PrismaClient } from './generated/prisma/client';

/** The Postgres schema holding every table of this service. Raw SQL names it explicitly. */
export const DB_SCHEMA = 'persona';

export function createPrisma(databaseUrl: string): PrismaClient {
  return new PrismaClient({ adapter: prismaAdapter(databaseUrl, DB_SCHEMA) });
}

export type { PrismaClient };

/** Readiness probe, and the "is the database down?" question a failed start-up step asks. */
export async function pingDb(prisma: PrismaClient): Promise<string> {
  await prisma.$queryRaw`SELECT 1`;
  return 'up';
}
