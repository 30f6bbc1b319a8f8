import { z } from 'zod';
import { AgentText, ConversationListResult, ConversationState, HandoffConflict } from '../bus/handoff-payloads';

// The agents' REST API (/api/admin/chats/*) and the user's handoff request.

/** takeover, release, complete: all optional; provide-info needs `message`. */
export const TransitionRequest = z.strictObject({
  /** Apply only to this version of the conversation (409 `version` otherwise). */
  expected_version: z.number().int().nonnegative().optional(),
  /** Sent to the user as an agent message in the same step (release, complete, provide-info). */
  message: AgentText.optional(),
  /** Admins only: act on a conversation another agent holds (take it over, release or close it). */
  force: z.boolean().optional(),
});
export type TransitionRequest = z.infer<typeof TransitionRequest>;

export const AgentMessageRequest = z.strictObject({ message: AgentText });
export type AgentMessageRequest = z.infer<typeof AgentMessageRequest>;

export const ConversationResponse = ConversationState;

export const AgentMessageResponse = z.object({
  message_id: z.string(),
  seq: z.number().int().positive(),
  state: ConversationState,
});
export type AgentMessageResponse = z.infer<typeof AgentMessageResponse>;

/** 409: the state refused the change; `state` is the conversation as it is now. */
export const HandoffConflictResponse = z.object({
  error: z.string(),
  code: z.string(),
  reason: HandoffConflict,
  state: ConversationState,
});
export type HandoffConflictResponse = z.infer<typeof HandoffConflictResponse>;

export const ConversationPageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

export const ConversationPageResponse = ConversationListResult;
