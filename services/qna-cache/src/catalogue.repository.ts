import type { PrismaClient } from './generated/prisma/client';
import type { Catalogue, CardRecord, FaqRecord, TermRecord } from './catalogue.loader';
import { compact, nameKey, normalise } from './text.normaliser';

export interface SeedCounts {
  faqs: number;
  terms: number;
  cards: number;
}

export interface CachedFaq {
  faqId: string;
  category: string;
  question: string;
  answer: string;
}

export interface CachedTerm {
  termId: string;
  term: string;
  english: string | null;
  definition: string;
}

/** Views to add per row id, gathered over one micro-batch. */
export interface ViewCounts {
  faqs: Map<string, number>;
  terms: Map<string, number>;
}

const faqRow = (f: FaqRecord) => ({
  ...f,
  keyword_keys: f.keywords.map(compact),
  search_text: normalise(`${f.question} ${f.keywords.join(' ')} ${f.category}`),
});
const termRow = (t: TermRecord) => ({
  ...t,
  english: t.english ?? null,
  term_key: compact(t.term),
  search_text: normalise(`${t.term} ${t.english ?? ''}`),
});
const cardRow = (c: CardRecord) => ({
  product_code: c.product_code,
  name: c.name,
  type: c.type,
  annual_fee_domestic: c.annual_fee.domestic,
  annual_fee_overseas: c.annual_fee.overseas,
  summary: c.summary,
  benefits: c.benefits,
  tags: c.tags,
  name_key: nameKey(c.name),
  search_text: normalise(`${c.name} ${c.tags.join(' ')} ${c.summary} ${c.benefits.join(' ')}`),
});

export function createCatalogueRepository(prisma: PrismaClient) {
  return {
    /**
     * Inserts the rows not there yet, one statement per table. Existing rows are kept as they
     * are, so a restart never resets the view counts users have built up.
     */
    async seed(catalogue: Catalogue): Promise<SeedCounts> {
      const faqs = JSON.stringify(catalogue.faqs.map(faqRow));
      const terms = JSON.stringify(catalogue.terms.map(termRow));
      const cards = JSON.stringify(catalogue.cards.map(cardRow));
      return prisma.$transaction(async (tx) => ({
        faqs: await tx.$executeRaw`
          INSERT INTO qna_cache.faqs (faq_id, category, question, answer, keywords, views, keyword_keys, search_text)
          SELECT faq_id, category, question, answer, keywords, views, keyword_keys, search_text
            FROM jsonb_to_recordset(${faqs}::jsonb) AS r(faq_id text, category text, question text,
                 answer text, keywords text[], views integer, keyword_keys text[], search_text text)
          ON CONFLICT (faq_id) DO NOTHING`,
        terms: await tx.$executeRaw`
          INSERT INTO qna_cache.terms (term_id, category, term, english, definition, related_terms, views, term_key, search_text)
          SELECT term_id, category, term, english, definition, related_terms, views, term_key, search_text
            FROM jsonb_to_recordset(${terms}::jsonb) AS r(term_id text, category text, term text, english text,
                 definition text, related_terms text[], views integer, term_key text, search_text text)
          ON CONFLICT (term_id) DO NOTHING`,
        cards: await tx.$executeRaw`
          INSERT INTO qna_cache.cards (product_code, name, type, annual_fee_domestic, annual_fee_overseas,
                                       summary, benefits, tags, name_key, search_text)
          SELECT product_code, name, type, annual_fee_domestic, annual_fee_overseas, summary, benefits,
                 tags, name_key, search_text
            FROM jsonb_to_recordset(${cards}::jsonb) AS r(product_code text, name text, type text,
                 annual_fee_domestic integer, annual_fee_overseas integer, summary text,
                 benefits text[], tags text[], name_key text, search_text text)
          ON CONFLICT DO NOTHING`,
      }));
    },

    /** What the exact-match cache needs (no view counts: those stay in the database). */
    async answers(): Promise<{ faqs: CachedFaq[]; terms: CachedTerm[] }> {
      const [faqs, terms] = await Promise.all([
        prisma.faq.findMany({ select: { faqId: true, category: true, question: true, answer: true }, orderBy: { faqId: 'asc' } }),
        prisma.term.findMany({ select: { termId: true, term: true, english: true, definition: true }, orderBy: { termId: 'asc' } }),
      ]);
      return { faqs, terms };
    },

    /** Every card product name, in a stable order (the owner's spelling). */
    async cardNames(): Promise<string[]> {
      const rows = await prisma.card.findMany({ select: { name: true }, orderBy: { name: 'asc' } });
      return rows.map((row) => row.name);
    },

    /** Adds a batch's views to both tables in one statement (one round trip per micro-batch). */
    async addViews(counts: ViewCounts): Promise<void> {
      const faqIds = [...counts.faqs.keys()];
      const termIds = [...counts.terms.keys()];
      if (faqIds.length === 0 && termIds.length === 0) return;
      await prisma.$executeRaw`
        WITH f AS (
          UPDATE qna_cache.faqs AS x SET views = x.views + v.n
            FROM unnest(${faqIds}::text[], ${[...counts.faqs.values()]}::int[]) AS v(id, n)
           WHERE x.faq_id = v.id RETURNING 1),
        t AS (
          UPDATE qna_cache.terms AS x SET views = x.views + v.n
            FROM unnest(${termIds}::text[], ${[...counts.terms.values()]}::int[]) AS v(id, n)
           WHERE x.term_id = v.id RETURNING 1)
        SELECT (SELECT count(*) FROM f) + (SELECT count(*) FROM t)`;
    },

    /** Most viewed first; ties by id so the order is stable. */
    topFaqs(limit: number) {
      return prisma.faq.findMany({
        select: { faqId: true, question: true, answer: true, views: true },
        orderBy: [{ views: 'desc' }, { faqId: 'asc' }],
        take: limit,
      });
    },

    topTerms(limit: number) {
      return prisma.term.findMany({
        select: { termId: true, term: true, definition: true },
        orderBy: [{ views: 'desc' }, { termId: 'asc' }],
        take: limit,
      });
    },

    async ping(): Promise<string> {
      await prisma.$queryRaw`SELECT 1`;
      return 'up';
    },
  };
}

export type CatalogueRepository = ReturnType<typeof createCatalogueRepository>;
