import { z } from 'zod';
import type { ToolName } from '@chatbot/proto';
import type { ToolDefinition } from '../llm/llm.types';

/**
 * The seed's five tools. Each argument schema is the single source of both the JSON Schema the
 * model sees and the validation of what it sends back. The session never travels as an argument:
 * `consumption_recommend` reads it from the job.
 */
export const toolArguments = {
  get_card_description: z.object({
    card_names: z.array(z.string().trim().min(1).max(100)).min(1).max(5)
      .describe('Card product names exactly as the user wrote them, e.g. ["카드의정석2"]'),
  }),
  get_card_recommendation: z.object({
    need: z.string().trim().min(1).max(500)
      .describe('What the user wants from a card, in Korean, e.g. "편의점, 카페 할인"'),
  }),
  consumption_recommend: z.object({}),
  query_faq_database: z.object({
    question: z.string().trim().min(1).max(500).describe("The user's question about using a card, in Korean"),
  }),
  query_term_database: z.object({
    term: z.string().trim().min(1).max(100).describe('The financial term to define, e.g. "리볼빙"'),
  }),
} satisfies Record<ToolName, z.ZodObject>;

export type ToolArguments = { [K in ToolName]: z.infer<(typeof toolArguments)[K]> };
export type ToolCallRequest = { [K in ToolName]: { tool: K; args: ToolArguments[K] } }[ToolName];

const descriptions: Record<ToolName, string> = {
  get_card_description:
    'Benefits, annual fees and conditions of card products the user names (카드 상품 혜택/이용조건 조회).',
  get_card_recommendation:
    'Recommends cards whose benefits match a need the user describes (e.g. travel, cafés, delivery).',
  consumption_recommend:
    "Recommends cards from the logged-in user's own spending data (내 소비 패턴 기반 추천). No arguments.",
  query_faq_database:
    'Searches the card-company FAQ: issuing, lost cards, payments, limits, fees, points, overseas use.',
  query_term_database: 'Defines a credit-card or financial term (용어 설명), with related terms.',
};

function parametersOf(schema: z.ZodObject): Record<string, unknown> {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  return { ...json, additionalProperties: false };
}

export const toolNames = Object.keys(toolArguments) as ToolName[];

/** What the chat-completions request carries in `tools`. */
export const toolDefinitions: ToolDefinition[] = toolNames.map((name) => ({
  type: 'function',
  function: { name, description: descriptions[name], parameters: parametersOf(toolArguments[name]) },
}));

export type ParsedToolCall =
  | { ok: true; call: ToolCallRequest }
  | { ok: false; error: string; details?: string[] };

/** Parses a model's tool call; a refusal says why, so the model can correct itself. */
export function parseToolCall(name: string, rawArguments: string): ParsedToolCall {
  if (!(name in toolArguments)) return { ok: false, error: `unknown tool "${name}"; use one of ${toolNames.join(', ')}` };
  const tool = name as ToolName;
  let json: unknown;
  try {
    json = rawArguments.trim() === '' ? {} : JSON.parse(rawArguments);
  } catch {
    return { ok: false, error: 'arguments are not valid JSON' };
  }
  const parsed = toolArguments[tool].safeParse(json);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    return { ok: false, error: 'invalid arguments', details };
  }
  return { ok: true, call: { tool, args: parsed.data } as ToolCallRequest };
}
