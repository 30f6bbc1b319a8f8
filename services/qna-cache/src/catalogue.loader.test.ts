import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from './catalogue.loader';
import { compact, nameKey } from './text.normaliser';

const dataDir = join(__dirname, '..', 'data');

test('reads the shipped data files with unique ids, questions, terms and card names', async () => {
  const { faqs, terms, cards } = await loadCatalogue(dataDir);
  expect(faqs.length).toBeGreaterThan(0);
  expect(terms.length).toBeGreaterThan(0);
  expect(cards.length).toBeGreaterThan(0);
  const unique = (values: string[]) => new Set(values).size === values.length;
  expect(unique(faqs.map((f) => f.faq_id))).toBe(true);
  expect(unique(faqs.map((f) => compact(f.question)))).toBe(true);
  expect(unique(terms.map((t) => t.term_id))).toBe(true);
  expect(unique(cards.map((c) => c.product_code))).toBe(true);
  // spacing-tolerant card matching needs distinct keys
  expect(unique(cards.map((c) => nameKey(c.name)))).toBe(true);
});

test('names the file and the field of a malformed record', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'qna-data-'));
  await writeFile(join(dir, 'faqs.json'), JSON.stringify([{ faq_id: 'FAQ-1', category: 'c', question: 'q', answer: 'a', keywords: [], views: -1 }]));
  await writeFile(join(dir, 'terms.json'), '[]');
  await writeFile(join(dir, 'cards.json'), '[]');
  await expect(loadCatalogue(dir)).rejects.toThrow(/faqs\.json: 0\.views/);
});
