import type { AnswerFields } from '@chatbot/proto';
import type { CatalogueIndex } from './catalogue.index';

/**
 * What a customer was given, as catalogue ids: `answer` is what the reply states (the FAQ shown,
 * the terms defined, the cards described), `offered` what it proposes to click next (related
 * questions, or the candidates of an ask-back). The ranking is answer first, then offered.
 */
export interface ReadAnswer {
  answer: string[];
  offered: string[];
}

const FAQ_LINE = /^질문: (.+)$/gmu;
const TERM_TITLE = /^\*\*(.+?)\*\*/gmu;
/** "리볼빙이란?", "포인트란?": how a related term is offered. */
const TERM_QUESTION = /^(.+?)(?:이란|란)\?$/u;

const unique = (ids: string[]): string[] => [...new Set(ids)];

export function readAnswer(fields: AnswerFields, index: CatalogueIndex): ReadAnswer {
  const faqs = [...fields.message.matchAll(FAQ_LINE)].map((m) => index.faqByQuestion.get(m[1]!.trim()));
  const terms = [...fields.message.matchAll(TERM_TITLE)].map((m) => index.termByName.get(m[1]!.trim()));
  const cards = (fields.card_list ?? []).map((name) => index.cardByName.get(name) ?? `card:${name}`);
  const offered = (fields.related_questions ?? []).map((question) => {
    const term = TERM_QUESTION.exec(question)?.[1];
    return index.faqByQuestion.get(question) ?? (term ? index.termByName.get(term) : undefined) ?? `question:${question}`;
  });
  const answer = [...faqs, ...terms].filter((id): id is string => id !== undefined);
  return { answer: unique([...answer, ...cards]), offered: unique(offered) };
}
