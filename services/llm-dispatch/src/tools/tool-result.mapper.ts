import type { AnswerFields, CardInfo, FaqHit, RecommendResult, TermHit } from '@chatbot/proto';
import { cardDetails, cardTable } from './card.markdown';
import { endsWithConsonant, whatIsQuestion } from './korean.particle';

/** How many follow-up questions a frame offers (the seed showed two or three). */
export const RELATED_QUESTIONS = 3;

export const NO_FAQ_MESSAGE =
  '죄송합니다. 질문과 관련된 안내를 찾지 못했어요. 다른 표현으로 다시 질문해 주시거나 고객센터(1588-9955)로 문의해 주세요.';
export const NO_CARD_NAMED_MESSAGE =
  '말씀하신 카드 상품을 찾지 못했어요. 카드 이름을 다시 확인해 주세요. (예: 카드의정석2)';
export const NO_CARD_MATCH_MESSAGE =
  '조건에 맞는 카드를 찾지 못했어요. 원하시는 혜택(예: 여행, 편의점, 배달)을 조금 더 알려 주세요.';

export const ASK_BACK_MESSAGE =
  '말씀하신 내용과 가까운 질문을 찾았어요. 아래에서 궁금하신 질문을 골라 주시거나, 조금 더 자세히 말씀해 주세요.';

/**
 * qna-cache scales an FAQ's score so that about 1 means the question holds all the query says.
 * Below FAQ_GUESS_SCORE the best FAQ is a guess; below FAQ_CONFIDENT_SCORE it is one only when the
 * next is about as good (FAQ_CLOSE_RATIO). Then a wrong answer costs the customer more than a question back.
 */
export const FAQ_GUESS_SCORE = 0.1;
export const FAQ_CONFIDENT_SCORE = 0.2;
export const FAQ_CLOSE_RATIO = 0.85;

function isGuess([best, next]: FaqHit[]): boolean {
  if (!best || best.score < FAQ_GUESS_SCORE) return true;
  return best.score < FAQ_CONFIDENT_SCORE && (next?.score ?? 0) >= FAQ_CLOSE_RATIO * best.score;
}

const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length > 0 ? list : undefined);

/**
 * Best FAQ in the seed's format; the next best become clickable follow-up questions. When even
 * the best is a guess, the candidates are offered as questions instead of answering one of them.
 */
export function faqFields(hits: FaqHit[]): AnswerFields {
  const [best, ...rest] = hits;
  if (!best) return { message: NO_FAQ_MESSAGE, login_required: false, tool_name: 'query_faq_database' };
  if (isGuess(hits)) {
    const candidates = hits.slice(0, RELATED_QUESTIONS).map((hit) => hit.question);
    return { message: ASK_BACK_MESSAGE, login_required: false, related_questions: candidates, tool_name: 'query_faq_database' };
  }
  return {
    message: `[${best.category}]\n\n질문: ${best.question}\n\n답변: ${best.answer}`,
    login_required: false,
    related_questions: nonEmpty(rest.slice(0, RELATED_QUESTIONS).map((hit) => hit.question)),
    tool_name: 'query_faq_database',
  };
}

const termTitle = (hit: TermHit) => (hit.english ? `**${hit.term}** (${hit.english})` : `**${hit.term}**`);

/** The definition; related terms are offered as "<term>이란?" questions the user can click. */
export function termFields(hits: TermHit[]): AnswerFields | undefined {
  const [best, ...rest] = hits;
  if (!best) return undefined;
  const title = termTitle(best);
  const related = [...best.related_terms, ...rest.map((hit) => hit.term)]
    .filter((term, index, all) => term !== best.term && all.indexOf(term) === index)
    .slice(0, RELATED_QUESTIONS);
  return {
    message: `${title}\n\n${best.definition}`,
    login_required: false,
    related_questions: nonEmpty(related.map(whatIsQuestion)),
    tool_name: 'query_term_database',
  };
}

/** Two terms side by side, for "A와 B 차이가 뭐예요?"; their other related terms are offered next. */
export function termComparisonFields(hits: [TermHit, TermHit]): AnswerFields {
  const shown = new Set(hits.map((hit) => hit.term));
  const related = [...new Set(hits.flatMap((hit) => hit.related_terms))].filter((term) => !shown.has(term)).slice(0, RELATED_QUESTIONS);
  const sections = hits.map((hit) => `${termTitle(hit)}\n\n${hit.definition}`);
  return {
    message: [`${hits[0].term}${endsWithConsonant(hits[0].term) ? '과' : '와'} ${hits[1].term}의 차이를 정리했어요.`, ...sections].join('\n\n'),
    login_required: false,
    related_questions: nonEmpty(related.map(whatIsQuestion)),
    tool_name: 'query_term_database',
  };
}

export function cardDescriptionFields(cards: CardInfo[]): AnswerFields {
  if (cards.length === 0) return { message: NO_CARD_NAMED_MESSAGE, login_required: false, tool_name: 'get_card_description' };
  const intro = cards.length > 1 ? `요청하신 카드 ${cards.length}종의 혜택을 정리했어요.\n\n${cardTable(cards)}\n\n` : '';
  return {
    message: `${intro}${cardDetails(cards)}`,
    login_required: false,
    card_list: cards.map((card) => card.name),
    tool_name: 'get_card_description',
  };
}

export function cardRecommendationFields(cards: CardInfo[]): AnswerFields {
  if (cards.length === 0) return { message: NO_CARD_MATCH_MESSAGE, login_required: false, tool_name: 'get_card_recommendation' };
  const message = [
    '말씀하신 조건에 맞는 카드를 추천해 드릴게요.',
    '',
    cardTable(cards),
    '',
    ...cards.map((card) => `- **${card.name}**: ${card.summary}`),
    '',
    '혜택별 전월실적 조건과 할인 한도는 상품설명서에서 꼭 확인해 주세요.',
  ].join('\n');
  return { message, login_required: false, card_list: cards.map((card) => card.name), tool_name: 'get_card_recommendation' };
}

/** The persona service already wrote the message; without a persona it asks for a login. */
export function consumptionFields(result: RecommendResult): AnswerFields {
  return {
    message: result.message,
    login_required: result.login_required,
    card_list: result.login_required ? undefined : nonEmpty(result.cards.map((card) => card.name)),
    tool_name: 'consumption_recommend',
  };
}
