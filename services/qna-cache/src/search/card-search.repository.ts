import type { CardInfo } from '@chatbot/proto';
import { Prisma, type PrismaClient } from '../generated/prisma/client';
import { tagsBySynonym } from './card-need.synonyms';
import { compact, nameKey, normalise } from '../text.normaliser';
import type { TrigramFunctions } from './trigram.functions';

const MIN_DESCRIBE_SCORE = 0.5;
const MIN_RECOMMEND_SCORE = 0.25;

const cardColumns = Prisma.raw(
  's.name, s.type, s.annual_fee_domestic, s.annual_fee_overseas, s.summary, s.benefits, s.tags, s.score',
);

export function createCardSearchRepository(prisma: PrismaClient, trgm: TrigramFunctions) {
  const { wordSimilarity } = trgm;
  return {
    /**
     * Cards named in the text. A name found whole (spaces ignored) scores 1, unless it is only
     * part of a longer name also found ("카드의정석2" inside "D4카드의정석2"); other names score
     * by how much of them the text holds, so a near miss still comes back, ranked lower.
     */
    describe(text: string, limit: number): Promise<CardInfo[]> {
      const key = nameKey(text);
      return prisma.$queryRaw<CardInfo[]>`
        WITH found AS (
          SELECT c.*, position(c.name_key IN ${key}) > 0 AS named FROM qna_cache.cards c),
        s AS (
          SELECT f.*, (CASE
            WHEN f.named AND NOT EXISTS (
              SELECT 1 FROM found o
               WHERE o.named AND o.name_key <> f.name_key AND position(f.name_key IN o.name_key) > 0)
            THEN 1.0
            ELSE ${wordSimilarity}(f.name_key, ${key}) END)::float8 AS score
          FROM found f)
        SELECT ${cardColumns} FROM s
         WHERE s.score >= ${MIN_DESCRIBE_SCORE}
         ORDER BY s.score DESC, length(s.name_key) DESC, s.name
         LIMIT ${limit}`;
    },

    /**
     * Cards for a need. The wanted tags are those the text names (or names through an everyday
     * word); a card scores by the share of wanted tags it carries (coverage), the share of its own
     * tags that are wanted (focus), and how much of the text its benefits hold (word_similarity).
     */
    recommend(need: string, limit: number): Promise<CardInfo[]> {
      return prisma.$queryRaw<CardInfo[]>`
        WITH wanted AS (
          SELECT DISTINCT t FROM qna_cache.cards, unnest(tags) t
           WHERE position(lower(t) IN ${compact(need)}) > 0 OR t = ANY(${tagsBySynonym(need)}::text[])),
        matched AS (
          SELECT c.*, (SELECT count(*) FROM unnest(c.tags) t WHERE t IN (SELECT t FROM wanted)) AS hits
          FROM qna_cache.cards c),
        s AS (
          SELECT m.*, (
              0.55 * m.hits / greatest((SELECT count(*) FROM wanted), 1)
            + 0.1 * m.hits / greatest(cardinality(m.tags), 1)
            + 0.35 * ${wordSimilarity}(${normalise(need)}, m.search_text))::float8 AS score
          FROM matched m)
        SELECT ${cardColumns} FROM s
         WHERE s.score >= ${MIN_RECOMMEND_SCORE}
         ORDER BY s.score DESC, s.name
         LIMIT ${limit}`;
    },
  };
}

export type CardSearchRepository = ReturnType<typeof createCardSearchRepository>;
