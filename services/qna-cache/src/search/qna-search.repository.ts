import type { FaqHit, TermHit } from '@chatbot/proto';
import type { PrismaClient } from '../generated/prisma/client';
import { compact, normalise } from '../text.normaliser';
import type { TrigramFunctions } from './trigram.functions';

/** Below these scores a row shares little more than particles with the query. */
const MIN_FAQ_SCORE = 0.15;
const MIN_TERM_SCORE = 0.2;

/**
 * Ranked retrieval over FAQs and terms with pg_trgm. The weights were tuned on realistic Korean
 * queries (see qna-search.itest.ts): trigram similarity copes with particles glued to words
 * ("카드를", "리볼빙이"), keyword containment rewards the curated keywords.
 */
export function createQnaSearchRepository(prisma: PrismaClient, trgm: TrigramFunctions) {
  const { similarity, wordSimilarity } = trgm;
  return {
    /**
     * FAQ score: how much of the query the question and keywords hold (word_similarity), how
     * alike query and question are overall (similarity), and whether a keyword occurs in the query.
     */
    async faqs(query: string, limit: number): Promise<FaqHit[]> {
      const q = normalise(query);
      const qc = compact(query);
      return prisma.$queryRaw<FaqHit[]>`
        SELECT faq_id, category, question, answer, score FROM (
          SELECT f.*, (
              0.45 * ${wordSimilarity}(${q}, f.search_text)
            + 0.35 * ${similarity}(${q}, lower(f.question))
            + 0.2 * (EXISTS (SELECT 1 FROM unnest(f.keyword_keys) k WHERE position(k IN ${qc}) > 0))::int
          )::float8 AS score
          FROM qna_cache.faqs f) ranked
        WHERE score >= ${MIN_FAQ_SCORE}
        ORDER BY score DESC, faq_id
        LIMIT ${limit}`;
    },

    /**
     * Term score: how much of the term (or its English name) occurs in the query, also with the
     * spaces taken out on both sides ("공항 라운지" finds 공항라운지), plus overall similarity so a
     * longer matching term beats its prefix (할부수수료 before 할부).
     */
    async terms(query: string, limit: number): Promise<TermHit[]> {
      const q = normalise(query);
      const qc = compact(query);
      return prisma.$queryRaw<TermHit[]>`
        SELECT term_id, term, english, definition, related_terms, score FROM (
          SELECT t.*, (
              0.7 * greatest(${wordSimilarity}(lower(t.term), ${q}), ${wordSimilarity}(t.term_key, ${qc}),
                             coalesce(${wordSimilarity}(lower(t.english), ${q}), 0))
            + 0.3 * ${similarity}(${q}, t.search_text)
          )::float8 AS score
          FROM qna_cache.terms t) ranked
        WHERE score >= ${MIN_TERM_SCORE}
        ORDER BY score DESC, term_id
        LIMIT ${limit}`;
    },
  };
}

export type QnaSearchRepository = ReturnType<typeof createQnaSearchRepository>;
