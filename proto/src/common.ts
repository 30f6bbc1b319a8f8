import { z } from 'zod';

/** A session id is minted by the gateway (UUID v4) and used as a NATS subject token. */
export const SessionId = z.string().uuid();
export type SessionId = z.infer<typeof SessionId>;

/**
 * The client's message id: a UUID, or `<Date.now()>-<hex>` from the seed client in a non-secure
 * context. It becomes part of NATS headers and database keys, so its alphabet is restricted.
 */
export const MessageId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'message_id may hold letters, digits, - and _ only');
export type MessageId = z.infer<typeof MessageId>;

/** A per-message system prompt (seed 002), bounded so it cannot crowd out the conversation. */
export const SystemPrompt = z.string().min(1).max(4000);
export type SystemPrompt = z.infer<typeof SystemPrompt>;

export const ToolName = z.enum([
  'get_card_description',
  'get_card_recommendation',
  'consumption_recommend',
  'query_faq_database',
  'query_term_database',
]);
export type ToolName = z.infer<typeof ToolName>;

export const TokenUsage = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
});
export type TokenUsage = z.infer<typeof TokenUsage>;

/** What a bot answer carries besides its text; the seed's tool metadata. */
export const AnswerFields = z.object({
  message: z.string(),
  login_required: z.boolean(),
  card_list: z.array(z.string()).optional(),
  related_questions: z.array(z.string()).optional(),
  tool_name: ToolName.optional(),
});
export type AnswerFields = z.infer<typeof AnswerFields>;
