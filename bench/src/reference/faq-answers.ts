import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../paths';

interface Faq {
  faq_id: string;
  category: string;
  question: string;
  answer: string;
}

/** The seed FAQ data the qna-cache serves: the questions the load sends. */
export function loadFaqs(): Faq[] {
  return JSON.parse(readFileSync(join(repoRoot, 'services', 'qna-cache', 'data', 'faqs.json'), 'utf8')) as Faq[];
}

/** Every FAQ answer (the cache's and the relay's) holds this; a failure reply does not. */
export const FAQ_ANSWER_MARK = '답변: ';

export const faqQuestions = (): string[] => loadFaqs().map((faq) => faq.question);

/** Question → the message the cache answers it with (services/qna-cache/src/answer.cache.ts). */
export function faqAnswers(): Map<string, string> {
  return new Map(loadFaqs().map((faq) => [faq.question, `[${faq.category}]\n\n질문: ${faq.question}\n\n${FAQ_ANSWER_MARK}${faq.answer}`]));
}
