import type { ReadAnswer } from './answer.reader';
import type { Question } from './question.set';

/** One question's outcome. */
export interface Scored {
  question: Question;
  read: ReadAnswer;
  /** The reply states exactly the expected ids, nothing more, nothing less. */
  top1: boolean;
  /**
   * 1-based rank of the whole expected set in answer-then-offered (a comparison's two ids count as
   * one result: both in the first two places is rank 1); null when one is missing.
   */
  rank: number | null;
}

/**
 * Top-1 asks for the exact answer: the one FAQ, the one named card (not its family), both sides of
 * a comparison. An ask-back (no answer, candidates offered) is never right at top-1, but its
 * candidates count for top-3 and the reciprocal rank.
 */
export function score(question: Question, read: ReadAnswer): Scored {
  const stated = new Set(read.answer);
  const top1 = stated.size === question.expect.length && question.expect.every((id) => stated.has(id));
  const ranking = [...read.answer, ...read.offered.filter((id) => !stated.has(id))];
  const positions = question.expect.map((id) => ranking.indexOf(id));
  const rank = positions.some((p) => p < 0) ? null : Math.max(...positions) + 2 - question.expect.length;
  return { question, read, top1, rank };
}

export interface Figures {
  n: number;
  top1: number;
  top3: number;
  mrr: number;
}

export function figures(scored: Scored[]): Figures {
  const n = scored.length;
  if (n === 0) return { n, top1: 0, top3: 0, mrr: 0 };
  const top1 = scored.filter((s) => s.top1).length / n;
  const top3 = scored.filter((s) => s.rank !== null && s.rank <= 3).length / n;
  const mrr = scored.reduce((sum, s) => sum + (s.rank ? 1 / s.rank : 0), 0) / n;
  return { n, top1, top3, mrr };
}

/** What a question's expected ids are: faq, term, card, or a mix (e.g. a term compared with a card). */
export function kindOf(question: Question): string {
  const kinds = new Set(question.expect.map((id) => (id.startsWith('FAQ-') ? 'faq' : id.startsWith('TERM-') ? 'term' : 'card')));
  return [...kinds].sort().join('+');
}

export function groupBy(scored: Scored[], key: (s: Scored) => string): Map<string, Figures> {
  const groups = new Map<string, Scored[]>();
  for (const s of scored) {
    const k = key(s);
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  return new Map([...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, list]) => [k, figures(list)]));
}
