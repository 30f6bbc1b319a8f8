import type { FaqHit, TermHit } from '@chatbot/proto';
import type { PrismaClient } from '../generated/prisma/client';
import { FaqRanker, type FaqRow } from './faq.ranker';
import { emptyVocabulary, type SearchVocabulary } from './search.vocabulary';
import { matchTerms, namesOf, type TermRow } from './term.matcher';

/** Below this an FAQ shares little more than a word or two with the query. */
const MIN_FAQ_SCORE = 0.06;

/** Rebuilds what is derived from the rows only when the rows changed (the catalogue is seeded, rarely edited). */
export function memoByRows<R, T>(build: (rows: R[]) => T): (rows: R[]) => T {
  let last: { key: string; value: T } | undefined;
  return (rows) => {
    const key = JSON.stringify(rows);
    if (last?.key !== key) last = { key, value: build(rows) };
    return last.value;
  };
}

/**
 * Ranked retrieval over FAQs and terms. The rows are read from Postgres on every request (the
 * database stays the one source, and a request fails while it is down); the ranking is done here,
 * where Korean needs handling that pg_trgm and Postgres full-text search (no Korean dictionary)
 * do not offer: particles and endings, spacing, letter-level typos, customers' synonyms.
 */
export function createQnaSearchRepository(prisma: PrismaClient, vocabulary: SearchVocabulary = emptyVocabulary) {
  const ranker = memoByRows((rows: FaqRow[]) => new FaqRanker(rows, vocabulary));
  const termNames = memoByRows((rows: TermRow[]) => rows.map(namesOf));
  return {
    /** FAQ score: BM25 over what the query holds, scaled so that 1 is about all of it found in the question. */
    async faqs(query: string, limit: number): Promise<FaqHit[]> {
      const rows = await prisma.$queryRaw<FaqRow[]>`
        SELECT faq_id, category, question, answer, keywords FROM qna_cache.faqs ORDER BY faq_id`;
      return ranker(rows).rank(query, limit, MIN_FAQ_SCORE).map(({ row, score }) => ({
        faq_id: row.faq_id, category: row.category, question: row.question, answer: row.answer, score,
      }));
    },

    /** Term score: 1 when the query holds the term (or another of its names) whole; see term.matcher. */
    async terms(query: string, limit: number): Promise<TermHit[]> {
      const rows = await prisma.$queryRaw<TermRow[]>`
        SELECT term_id, term, english, definition, related_terms FROM qna_cache.terms ORDER BY term_id`;
      return matchTerms(rows, query, vocabulary, termNames(rows))
        .sort((x, y) => y.score - x.score || y.row.term.length - x.row.term.length || x.row.term_id.localeCompare(y.row.term_id))
        .slice(0, limit)
        .map(({ row, score }) => ({ ...row, score }));
    },
  };
}

export type QnaSearchRepository = ReturnType<typeof createQnaSearchRepository>;
