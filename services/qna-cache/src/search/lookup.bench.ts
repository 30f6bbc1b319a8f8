import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { nameKeysOf, namedCards } from './card-name.matcher';
import { FaqRanker, type FaqRow } from './faq.ranker';
import { memoByRows } from './qna-search.repository';
import { loadSearchVocabulary } from './search.vocabulary';
import { matchTerms, namesOf, type TermRow } from './term.matcher';

/**
 * CPU per lookup of the in-process part of search (no database, no bus): for each text of a
 * question set, the FAQ ranking, the term match and the card-name match one request makes,
 * including the check that the rows did not change. CPU time, not wall clock: the machine is shared.
 *   node services/qna-cache/dist/search/lookup.bench.js [questions.json] [rounds]
 */
async function main(): Promise<void> {
  const dataDir = resolve(__dirname, '..', '..', 'data');
  const setPath = process.argv[2] ?? resolve(__dirname, '..', '..', '..', '..', 'tools', 'eval', 'data', 'questions.json');
  const rounds = Number(process.argv[3] ?? 20);
  const read = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file, 'utf8')) as T;
  const [faqs, terms, cards, questions, vocabulary] = await Promise.all([
    read<FaqRow[]>(join(dataDir, 'faqs.json')),
    read<TermRow[]>(join(dataDir, 'terms.json')),
    read<Array<{ name: string }>>(join(dataDir, 'cards.json')),
    read<Array<{ q: string }>>(setPath),
    loadSearchVocabulary(dataDir),
  ]);
  const ranker = memoByRows((rows: FaqRow[]) => new FaqRanker(rows, vocabulary));
  const cardKeys = memoByRows((rows: Array<{ name: string }>) => nameKeysOf(rows.map((row) => row.name), vocabulary));
  const termNames = memoByRows((rows: TermRow[]) => rows.map(namesOf));
  const lookup = (text: string) => {
    ranker(faqs).rank(text, 4, 0.06);
    matchTerms(terms, text, vocabulary, termNames(terms));
    namedCards(cardKeys(cards), text);
  };
  questions.forEach(({ q }) => lookup(q));
  const start = process.cpuUsage();
  for (let round = 0; round < rounds; round += 1) questions.forEach(({ q }) => lookup(q));
  const used = process.cpuUsage(start);
  const lookups = rounds * questions.length;
  process.stdout.write(`${lookups} lookups, ${((used.user + used.system) / lookups).toFixed(0)} µs CPU per lookup (user+system)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
