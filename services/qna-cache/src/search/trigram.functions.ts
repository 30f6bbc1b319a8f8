import { Prisma, type PrismaClient } from '../generated/prisma/client';

/** pg_trgm's functions, qualified with the schema the extension was installed in. */
export interface TrigramFunctions {
  similarity: Prisma.Sql;
  wordSimilarity: Prisma.Sql;
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/**
 * The extension is one per database and another service may have installed it into its own
 * schema before our migration ran (see 001_catalogue.sql), so the functions are looked up
 * rather than assumed to be on the search path.
 */
export async function trigramFunctions(prisma: PrismaClient): Promise<TrigramFunctions> {
  const rows = await prisma.$queryRaw<{ schema: string }[]>`
    SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'pg_trgm'`;
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('pg_trgm is not installed: the qna_cache migrations did not run');
  return {
    similarity: Prisma.raw(`${quote(schema)}.similarity`),
    wordSimilarity: Prisma.raw(`${quote(schema)}.word_similarity`),
  };
}
