import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The catalogue qna-cache loads, read from its data files, to turn what an answer shows (an FAQ's
 * question, a term's bold title, a card's name) back into ids.
 */
export interface CatalogueIndex {
  faqByQuestion: Map<string, string>;
  termByName: Map<string, string>;
  cardByName: Map<string, string>;
  /** Every id the catalogue holds, to check a question set's labels. */
  ids: Set<string>;
}

interface Faq { faq_id: string; question: string }
interface Term { term_id: string; term: string }
interface Card { product_code: string; name: string }

async function readJson<T>(dir: string, file: string): Promise<T[]> {
  return JSON.parse(await readFile(join(dir, file), 'utf8')) as T[];
}

export async function loadCatalogueIndex(dataDir: string): Promise<CatalogueIndex> {
  const [faqs, terms, cards] = await Promise.all([
    readJson<Faq>(dataDir, 'faqs.json'),
    readJson<Term>(dataDir, 'terms.json'),
    readJson<Card>(dataDir, 'cards.json'),
  ]);
  const faqByQuestion = new Map(faqs.map((f) => [f.question, f.faq_id]));
  const termByName = new Map(terms.map((t) => [t.term, t.term_id]));
  const cardByName = new Map(cards.map((c) => [c.name, c.product_code]));
  const ids = new Set([...faqByQuestion.values(), ...termByName.values(), ...cardByName.values()]);
  return { faqByQuestion, termByName, cardByName, ids };
}
