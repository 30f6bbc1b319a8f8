import type { Bus } from '@chatbot/bus';
import type { AnswerFields } from '@chatbot/proto';
import type { DispatchMetrics } from '../dispatch.metrics';
import type { ToolArguments, ToolCallRequest } from './tool.definitions';
import {
  cardDescriptionFields,
  cardRecommendationFields,
  consumptionFields,
  FAQ_CONFIDENT_SCORE,
  faqFields,
  RELATED_QUESTIONS,
  termComparisonFields,
  termFields,
} from './tool-result.mapper';

/** Who is asking: the session comes from the job, never from the text or the model. */
export interface ToolContext {
  sessionId: string;
  correlationId: string;
}

/** A tool's answer: frame fields for the user, and the raw data for the model to read. */
export interface ToolOutcome {
  /** A built-in ToolName, or the name the model calls an MCP server's tool by. */
  tool: string;
  /** false when the tool ran fine but found nothing (no FAQ, no such term, no card). */
  found: boolean;
  fields: AnswerFields;
  modelView: unknown;
}

export type ToolBus = Pick<Bus, 'request'>;

const CARD_DESCRIBE_LIMIT = 5;
/** qna-cache scores a card named in the text (whole, or one letter off) from 0.85 up; below are near misses. */
const NAMED_CARD_SCORE = 0.85;
/** qna-cache scores a term the text holds whole 1 (a near spelling a little less; a term inside a longer one half). */
const NAMED_TERM_SCORE = 0.85;
const CARD_RECOMMEND_LIMIT = 3;
/** An FAQ whose question asks for a card; it answers a request for a card when it clearly leads the others. */
const ASKS_FOR_CARD = /카드(가|는)\s*(있나요|무엇인가요)\??$/u;
const CARD_FAQ_LEAD = 1.5;
const TERM_LIMIT = 3;
/** SearchQuery's limit; retrieval mode passes the user's text through unchecked. */
const MAX_QUERY_CHARS = 4_000;
const clip = (text: string): string => text.slice(0, MAX_QUERY_CHARS);

/**
 * Runs tools against the services that own the data. Transport failures (E5001/E5002) propagate:
 * the caller turns them into a failure reply.
 */
export class ToolExecutor {
  constructor(
    private readonly bus: ToolBus,
    private readonly timeoutMs: number,
    private readonly metrics?: DispatchMetrics,
  ) {}

  async run(call: ToolCallRequest, context: ToolContext): Promise<ToolOutcome> {
    try {
      const outcome = await this.dispatch(call, context);
      this.metrics?.toolCalls.inc({ tool: call.tool, outcome: outcome.found ? 'found' : 'empty' });
      return outcome;
    } catch (error) {
      this.metrics?.toolCalls.inc({ tool: call.tool, outcome: 'error' });
      throw error;
    }
  }

  /** The cards the text names, described; undefined when it names none (near misses do not count). */
  async namedCards(text: string, context: ToolContext): Promise<ToolOutcome | undefined> {
    const { cards } = await this.bus.request('cardDescribe', { query: clip(text), limit: CARD_DESCRIBE_LIMIT }, this.options(context));
    const named = cards.filter((card) => card.score >= NAMED_CARD_SCORE);
    if (named.length === 0) return undefined;
    this.metrics?.toolCalls.inc({ tool: 'get_card_description', outcome: 'found' });
    return { tool: 'get_card_description', found: true, fields: cardDescriptionFields(named), modelView: { cards: named } };
  }

  /**
   * The FAQ that itself asks which card suits a need ("해외여행 갈 때 쓰기 좋은 카드는 무엇인가요?"),
   * when the text asks that clearly: its written answer beats a ranking of tags. Undefined otherwise.
   */
  async cardFindingFaq(text: string, context: ToolContext): Promise<ToolOutcome | undefined> {
    const { hits } = await this.bus.request('faqSearch', { query: clip(text), limit: RELATED_QUESTIONS + 1 }, this.options(context));
    const [best, next] = hits;
    if (!best || !ASKS_FOR_CARD.test(best.question) || best.score < FAQ_CONFIDENT_SCORE) return undefined;
    if ((next?.score ?? 0) * CARD_FAQ_LEAD > best.score) return undefined;
    this.metrics?.toolCalls.inc({ tool: 'query_faq_database', outcome: 'found' });
    return { tool: 'query_faq_database', found: true, fields: faqFields(hits), modelView: { hits } };
  }

  /** The two terms a text asks to compare, side by side; undefined unless it names two terms whole. */
  async comparedTerms(text: string, context: ToolContext): Promise<ToolOutcome | undefined> {
    const { hits } = await this.bus.request('termSearch', { query: clip(text), limit: TERM_LIMIT }, this.options(context));
    const [first, second] = hits.filter((hit) => hit.score >= NAMED_TERM_SCORE);
    if (!first || !second) return undefined;
    this.metrics?.toolCalls.inc({ tool: 'query_term_database', outcome: 'found' });
    return { tool: 'query_term_database', found: true, fields: termComparisonFields([first, second]), modelView: { hits: [first, second] } };
  }

  private dispatch(call: ToolCallRequest, context: ToolContext): Promise<ToolOutcome> {
    switch (call.tool) {
      case 'get_card_description': return this.describeCards(call.args, context);
      case 'get_card_recommendation': return this.recommendCards(call.args, context);
      case 'consumption_recommend': return this.recommendFromSpending(context);
      case 'query_faq_database': return this.searchFaq(call.args, context);
      case 'query_term_database': return this.searchTerms(call.args, context);
    }
  }

  private options(context: ToolContext) {
    return { timeoutMs: this.timeoutMs, correlationId: context.correlationId };
  }

  private async describeCards(args: ToolArguments['get_card_description'], context: ToolContext): Promise<ToolOutcome> {
    const query = clip(args.card_names.join(', '));
    const { cards } = await this.bus.request('cardDescribe', { query, limit: CARD_DESCRIBE_LIMIT }, this.options(context));
    return { tool: 'get_card_description', found: cards.length > 0, fields: cardDescriptionFields(cards), modelView: { cards } };
  }

  private async recommendCards(args: ToolArguments['get_card_recommendation'], context: ToolContext): Promise<ToolOutcome> {
    const request = { query: clip(args.need), limit: CARD_RECOMMEND_LIMIT };
    const { cards } = await this.bus.request('cardRecommend', request, this.options(context));
    return { tool: 'get_card_recommendation', found: cards.length > 0, fields: cardRecommendationFields(cards), modelView: { cards } };
  }

  private async recommendFromSpending(context: ToolContext): Promise<ToolOutcome> {
    const result = await this.bus.request('recommend', { session_id: context.sessionId }, this.options(context));
    return { tool: 'consumption_recommend', found: !result.login_required, fields: consumptionFields(result), modelView: result };
  }

  private async searchFaq(args: ToolArguments['query_faq_database'], context: ToolContext): Promise<ToolOutcome> {
    const request = { query: clip(args.question), limit: RELATED_QUESTIONS + 1 };
    const { hits } = await this.bus.request('faqSearch', request, this.options(context));
    return { tool: 'query_faq_database', found: hits.length > 0, fields: faqFields(hits), modelView: { hits } };
  }

  private async searchTerms(args: ToolArguments['query_term_database'], context: ToolContext): Promise<ToolOutcome> {
    const { hits } = await this.bus.request('termSearch', { query: clip(args.term), limit: TERM_LIMIT }, this.options(context));
    const fields = termFields(hits) ?? {
      message: `'${args.term}'에 대한 용어 설명을 찾지 못했어요.`,
      login_required: false,
      tool_name: 'query_term_database' as const,
    };
    return { tool: 'query_term_database', found: hits.length > 0, fields, modelView: { hits } };
  }
}
