import type { HistoryTurn } from '@chatbot/proto';
import type { ModelCaller } from '../answering/model.caller';
import type { ChatMessage } from '../llm/llm.types';
import { CATEGORY_MAX, clip, DEFAULT_CATEGORY, SUMMARY_FIELD_MAX, type SummaryInput, type SummaryText } from './summary.types';

const TURN_MAX = 600;
const TURNS_SHOWN = 40;
const SUMMARY_MAX_TOKENS = 600;

/** The model answered, but not with the JSON object asked for: the caller falls back to the extractive summary. */
export class SummaryFormatError extends Error {
  constructor(readonly raw: string) {
    super('the model did not answer with a summary object');
    this.name = 'SummaryFormatError';
  }
}

export function summaryInstructions(categories: string[]): string {
  const categoryRule = categories.length > 0
    ? `one of: ${categories.join(', ')} (or "${DEFAULT_CATEGORY}" when none fits)`
    : 'one short lowercase label, such as refund, payment, lost_card, fees, benefits, general';
  return [
    'You summarise a customer-support conversation for the human agent who takes it over or reviews it.',
    'Answer with one JSON object and nothing else: {"issue": "...", "tried": "...", "open": "...", "category": "..."}.',
    '- issue: the customer\'s problem, in one or two sentences.',
    '- tried: what the assistant or an agent already answered, suggested or did.',
    '- open: what is still unresolved or what the customer is waiting for ("" when nothing is).',
    `- category: ${categoryRule}.`,
    'Write issue, tried and open in the language of the conversation. Do not invent facts.',
  ].join('\n');
}

/** The model's summary. Throws an LlmError when the model fails (retry helps) and SummaryFormatError when it answers off-format. */
export async function llmSummary(model: ModelCaller, input: SummaryInput, options: { model?: string }): Promise<SummaryText> {
  const messages: ChatMessage[] = [
    { role: 'system', content: summaryInstructions(input.categories) },
    { role: 'user', content: transcript(input.turns) },
  ];
  const result = await model.stream({ messages, maxTokens: SUMMARY_MAX_TOKENS, temperature: 0, ...options }, () => {});
  return parseSummary(result.content, input.categories);
}

function transcript(turns: HistoryTurn[]): string {
  const shown = turns.filter((turn) => turn.content.trim() !== '').slice(-TURNS_SHOWN);
  if (shown.length === 0) return '(the conversation has no messages)';
  return shown.map((turn) => `${turn.role === 'user' ? 'customer' : 'assistant'}: ${clip(turn.content, TURN_MAX)}`).join('\n');
}

/** The first JSON object in the answer (models wrap it in prose or a code fence now and then). */
export function parseSummary(text: string, categories: string[]): SummaryText {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start === -1 || end <= start) throw new SummaryFormatError(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(start, end + 1));
  } catch {
    throw new SummaryFormatError(text);
  }
  const fields = parsed as Record<string, unknown>;
  if (typeof fields['issue'] !== 'string' || fields['issue'].trim() === '') throw new SummaryFormatError(text);
  const field = (name: string) => (typeof fields[name] === 'string' ? clip(fields[name], SUMMARY_FIELD_MAX) : '');
  return { issue: field('issue'), tried: field('tried'), open: field('open'), category: categoryOf(fields['category'], categories) };
}

function categoryOf(value: unknown, categories: string[]): string {
  const text = typeof value === 'string' ? clip(value, CATEGORY_MAX) : '';
  if (text === '') return DEFAULT_CATEGORY;
  return categories.find((category) => category.toLowerCase() === text.toLowerCase()) ?? text;
}
