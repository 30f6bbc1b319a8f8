import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** The seed data files (services/qna-cache/data), validated when read: a bad file stops start-up. */
const FaqRecord = z.object({
  faq_id: z.string().min(1),
  category: z.string().min(1),
  question: z.string().min(1),
  answer: z.string().min(1),
  keywords: z.array(z.string()),
  views: z.number().int().nonnegative(),
});
export type FaqRecord = z.infer<typeof FaqRecord>;

const TermRecord = z.object({
  term_id: z.string().min(1),
  category: z.string().min(1),
  term: z.string().min(1),
  english: z.string().nullable().optional(),
  definition: z.string().min(1),
  related_terms: z.array(z.string()),
  views: z.number().int().nonnegative(),
});
export type TermRecord = z.infer<typeof TermRecord>;

const CardRecord = z.object({
  name: z.string().min(1),
  product_code: z.string().min(1),
  type: z.enum(['credit', 'check']),
  annual_fee: z.object({ domestic: z.number().int(), overseas: z.number().int() }),
  summary: z.string(),
  benefits: z.array(z.string()),
  tags: z.array(z.string()),
});
export type CardRecord = z.infer<typeof CardRecord>;

export interface Catalogue {
  faqs: FaqRecord[];
  terms: TermRecord[];
  cards: CardRecord[];
}

async function readList<T>(dir: string, file: string, schema: z.ZodType<T>): Promise<T[]> {
  const path = join(dir, file);
  const parsed = z.array(schema).safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

export async function loadCatalogue(dir: string): Promise<Catalogue> {
  const [faqs, terms, cards] = await Promise.all([
    readList(dir, 'faqs.json', FaqRecord),
    readList(dir, 'terms.json', TermRecord),
    readList(dir, 'cards.json', CardRecord),
  ]);
  return { faqs, terms, cards };
}
