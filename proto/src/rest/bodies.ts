import { z } from 'zod';
import { MessageId, SessionId } from '../common';

export const HealthResponse = z.object({ status: z.literal('ok') });

export const TopKQuery = (fallback: number) =>
  z.object({ top_k: z.coerce.number().int().min(1).max(100).default(fallback) });

export const FaqItem = z.object({
  faq_id: z.string(),
  question: z.string(),
  answer: z.string(),
  views: z.number().int(),
});
export type FaqItem = z.infer<typeof FaqItem>;
export const FaqListResponse = z.array(FaqItem);

export const TermItem = z.object({ term_id: z.string(), term: z.string(), definition: z.string() });
export type TermItem = z.infer<typeof TermItem>;
export const TermListResponse = z.array(TermItem);

export const PersonaSummary = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string().nullable(),
});
export const PersonasResponse = z.object({ personas: z.array(PersonaSummary) });
export type PersonasResponse = z.infer<typeof PersonasResponse>;

export const LoginRequest = z.object({ session_id: SessionId, persona_id: z.number().int() });
export type LoginRequest = z.infer<typeof LoginRequest>;

export const PersonaIdRequest = z.object({ session_id: SessionId });
export const PersonaIdResponse = z.object({ persona_id: z.number().int().nullable() });

export const FeedbackRequest = z.object({
  message_id: MessageId,
  is_helpful: z.boolean().nullable(),
  prompt_message_id: z.string().optional(),
});
export type FeedbackRequest = z.infer<typeof FeedbackRequest>;
export const FeedbackResponse = z.object({
  status: z.literal('success'),
  message_id: z.string(),
  feedback_received: z.boolean().nullable(),
});

/** Body of every REST error: a stable code, a short text, and an incident id for 5xx. */
export const ErrorResponse = z.object({
  error: z.string(),
  code: z.string(),
  incident_id: z.string().optional(),
  /** E4004: seconds to wait, as in the Retry-After header (for clients that do not read headers). */
  retry_after: z.number().int().positive().optional(),
  detail: z.unknown().optional(),
});
