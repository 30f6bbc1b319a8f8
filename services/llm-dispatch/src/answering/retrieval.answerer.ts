import type { AnswerFields, ToolName } from '@chatbot/proto';
import type { CardNameMatcher } from '../routing/card-name.matcher';
import { asksForService, asksToCompare, route } from '../routing/intent.router';
import { normalise } from '../routing/korean.text';
import type { ToolContext, ToolExecutor, ToolOutcome } from '../tools/tool.executor';
import type { Answer, AnswerRequest, Answerer } from './answer.types';

export const GREETING_MESSAGE =
  '안녕하세요, 고객님! 카드 추천, 카드 혜택 조회, 소비 패턴 기반 카드 추천, 자주 묻는 질문과 금융 용어 설명을 도와드릴게요. 무엇이 궁금하신가요?';
export const THANKS_MESSAGE = '도움이 되었다니 기뻐요! 더 궁금하신 점이 있으면 언제든 물어봐 주세요.';

export function smalltalkFields(text: string): AnswerFields {
  const thanks = /(고마|감사|땡큐|thank)/.test(normalise(text));
  return { message: thanks ? THANKS_MESSAGE : GREETING_MESSAGE, login_required: false };
}

/**
 * Answers without a model: the rules of intent.router pick the tool, the tool writes the answer.
 * Before an FAQ or term search, qna-cache (which owns the card names) is asked whether the text
 * names a card the rules missed ("오하체크 혜택"), and a comparison of two terms gets both definitions.
 * A request for a card that an FAQ asks in so many words ("해외여행 카드 추천") gets that FAQ's answer.
 */
export class RetrievalAnswerer implements Answerer {
  readonly mode = 'retrieval' as const;

  /** `cardNames` is asked at each message: the catalogue's names may arrive or change after start-up. */
  constructor(
    private readonly tools: ToolExecutor,
    private readonly cardNames: { namesCard: CardNameMatcher },
  ) {}

  async answer({ job, correlationId, log }: AnswerRequest): Promise<Answer> {
    const chosen = route(job.text, this.cardNames.namesCard);
    if (chosen.kind === 'smalltalk') return { fields: smalltalkFields(job.text) };
    const context = { sessionId: job.session_id, correlationId };
    log.debug({ tool: chosen.call.tool }, 'routed');
    if (chosen.call.tool === 'get_card_recommendation') {
      const faq = await this.tools.cardFindingFaq(job.text, context);
      if (faq) return { fields: faq.fields };
    }
    const before = await this.beforeSearch(chosen.call.tool, job.text, context);
    if (before) return { fields: before.fields };
    const outcome = await this.tools.run(chosen.call, context);
    if (outcome.found || chosen.call.tool !== 'query_term_database') return { fields: outcome.fields };
    // Not a known term after all: the FAQ may still answer the question as asked.
    const faq = await this.tools.run({ tool: 'query_faq_database', args: { question: job.text } }, context);
    return { fields: faq.fields };
  }

  private async beforeSearch(tool: ToolName, text: string, context: ToolContext): Promise<ToolOutcome | undefined> {
    const searchesText = tool === 'query_faq_database' || tool === 'query_term_database';
    if (searchesText && asksToCompare(text)) {
      const compared = await this.tools.comparedTerms(text, context);
      if (compared) return compared;
    }
    // "오하체크가 뭐야?": a product the rules did not know is still a product.
    return searchesText && !asksForService(text) ? this.tools.namedCards(text, context) : undefined;
  }

  describe(): Record<string, unknown> {
    return { mode: this.mode };
  }
}
