import { compact } from '../text.normaliser';
import { containment, coveredBy } from './korean.text';
import { canonical, type SearchVocabulary } from './search.vocabulary';

/**
 * Terms a text names: a term (its Korean name, its English name, or another name its definition
 * gives, "단기카드대출이라고도 하며") held by the text with spaces ignored, or nearly (one letter
 * wrong in six: 캐쉬백 → 캐시백). A term inside a longer term also named ("할부" in "할부수수료")
 * is pushed down, so the longer one comes first.
 */
export interface TermRow {
  term_id: string;
  term: string;
  english: string | null;
  definition: string;
  related_terms: string[];
}

const OTHER_NAMES = [/^(\S+?)(?:이)?라고도 (?:하며|합니다|부르)/u, /우리말로 (\S+?)(?:이)?라고 합니다/u];

export function namesOf(row: TermRow): string[] {
  const others = OTHER_NAMES.map((pattern) => pattern.exec(row.definition)?.[1]).filter((name): name is string => !!name);
  return [...new Set([row.term, row.english ?? '', ...others].map(compact).filter((key) => key.length >= 2))];
}

export interface MatchedTerm {
  row: TermRow;
  /** 1 = the text holds the term whole and it is the longest there; lower for near spellings, shorter terms inside longer ones. */
  score: number;
}

const COVERED = 0.5;
const MIN_MATCH = 0.8;

/** `names` are namesOf each row, passed in by a caller that keeps them while the rows stay the same. */
export function matchTerms(rows: TermRow[], text: string, vocabulary: SearchVocabulary, names = rows.map(namesOf)): MatchedTerm[] {
  const keys = [compact(text), compact(canonical(text, vocabulary))];
  const found = rows
    .map((row, index) => {
      let best = { score: 0, key: '' };
      for (const name of names[index]!) {
        const score = Math.max(...keys.map((key) => containment(name, key)));
        if (score > best.score || (score === best.score && name.length > best.key.length)) best = { score, key: name };
      }
      return { row, ...best };
    })
    .filter((m) => m.score >= MIN_MATCH);
  const text0 = keys[0]!;
  return found.map(({ row, score, key }) => {
    const covered = found.some((other) => other.key !== key && other.score >= score && coveredBy(other.key, key, text0));
    return { row, score: covered ? score * COVERED : score };
  });
}
