import type { CardInfo } from '@chatbot/proto';
import { Prisma, type PrismaClient } from '../generated/prisma/client';
import { tagsBySynonym } from './card-need.synonyms';
import { compact, nameKey, normalise } from '../text.normaliser';
import type { TrigramFunctions } from './trigram.functions';
import { nameKeysOf, namedCards } from './card-name.matcher';
import { memoByRows } from './qna-search.repository';
import { emptyVocabulary, type SearchVocabulary } from './search.vocabulary';

const MIN_DESCRIBE_SCORE = 0.5;
const MIN_RECOMMEND_SCORE = 0.25;

const cardColumns = Prisma.raw(
  's.name, s.type, s.annual_fee_domestic, s.annual_fee_overseas, s.summary, s.benefits, s.tags, s.score',
);

type CardRow = Omit<CardInfo, 'score'>;

export function createCardSearchRepository(prisma: PrismaClient, trgm: TrigramFunctions, vocabulary: SearchVocabulary = emptyVocabulary) {
  const { wordSimilarity } = trgm;
  const keys = memoByRows((rows: CardRow[]) => nameKeysOf(rows.map((row) => row.name), vocabulary));

  /**
   * Cards the text names (see card-name.matcher), and only those: a name picks its card, not its
   * family. Scores are 1 for a name held whole, a little less for a near spelling.
   */
  const named = async (text: string, limit: number): Promise<CardInfo[]> => {
    const rows = await prisma.$queryRaw<CardRow[]>`
      SELECT name, type, annual_fee_domestic, annual_fee_overseas, summary, benefits, tags FROM qna_cache.cards ORDER BY name`;
    return namedCards(keys(rows), text)
      .sort((x, y) => y.score - x.score || x.at - y.at)
      .slice(0, limit)
      .map(({ index, score }) => ({ ...rows[index]!, score }));
  };

  /**
   * A text naming no card ("카드의정석 EVERY 1", the series alone): names score by how much of them
   * the text holds (word_similarity), so near misses still come back, below 1.
   */
  const nearMisses = (text: string, limit: number): Promise<CardInfo[]> => prisma.$queryRaw<CardInfo[]>`
    WITH s AS (SELECT c.*, ${wordSimilarity}(c.name_key, ${nameKey(text)})::float8 AS score FROM qna_cache.cards c)
    SELECT ${cardColumns} FROM s
     WHERE s.score >= ${MIN_DESCRIBE_SCORE}
     ORDER BY s.score DESC, length(s.name_key) DESC, s.name
     LIMIT ${limit}`;

  return {
    async describe(text: string, limit: number): Promise<CardInfo[]> {
      const cards = await named(text, limit);
      return cards.length > 0 ? cards : nearMisses(text, limit);
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
