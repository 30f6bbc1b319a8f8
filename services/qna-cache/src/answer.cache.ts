import type { AnswerFields } from '@chatbot/proto';
import type { CachedFaq, CachedTerm } from './catalogue.repository';
import { normalise } from './text.normaliser';

export type CacheHit =
  | { kind: 'faq'; id: string; answer: AnswerFields; category: string }
  | { kind: 'term'; id: string; answer: AnswerFields };

/** The seed's message formats, which the client renders as Markdown. */
export function faqMessage(faq: CachedFaq): string {
  return `[${faq.category}]\n\n질문: ${faq.question}\n\n답변: ${faq.answer}`;
}

export function termMessage(term: CachedTerm): string {
  const english = term.english ? ` (${term.english})` : '';
  return `**${term.term}**${english}\n\n${term.definition}`;
}

/**
 * Exact-match answers keyed by the normalised text: an FAQ question, else a term. Built once
 * from the database before the service reports ready, so the first message is already a hit.
 */
export class AnswerCache {
  private readonly entries = new Map<string, CacheHit>();

  constructor(data: { faqs: CachedFaq[]; terms: CachedTerm[] }) {
    // Terms first, so an FAQ question that equals a term wins, as in the seed.
    for (const term of data.terms) {
      const answer = { message: termMessage(term), login_required: false };
      this.entries.set(normalise(term.term), { kind: 'term', id: term.termId, answer });
    }
    for (const faq of data.faqs) {
      const answer = { message: faqMessage(faq), login_required: false };
      this.entries.set(normalise(faq.question), { kind: 'faq', id: faq.faqId, answer, category: faq.category });
    }
  }

  get size(): number {
    return this.entries.size;
  }

  lookup(text: string): CacheHit | undefined {
    return this.entries.get(normalise(text));
  }
}
