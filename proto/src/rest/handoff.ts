import { z } from 'zod';
import { AgentText, ConversationListResult, ConversationState, HandoffConflict } from '../bus/handoff-payloads';
import { AttachmentResponse } from './attachments';
import { HistoryItem } from './conversations';

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

/** An attachment as the console lists it beside its message; its bytes: `GET /api/chats/attachments/{attachment_id}`. */
export const AttachmentSummary = AttachmentResponse.pick({ attachment_id: true, name: true, size: true, content_type: true });
export type AttachmentSummary = z.infer<typeof AttachmentSummary>;

/** One entry of a conversation as agents read it: the user's history entry with its attachments described. */
export const AgentHistoryItem = HistoryItem.omit({ attachment_ids: true }).extend({
  /** A user message's attachments, oldest first; absent when it has none. */
  attachments: z.array(AttachmentSummary).optional(),
});
export type AgentHistoryItem = z.infer<typeof AgentHistoryItem>;

/**
 * `GET /api/admin/chats/{id}/messages?limit&cursor`: the newest entries first time, then (with
 * `cursor`) the ones before; each page oldest first. A cursor names a place in the conversation,
 * so messages that arrive between two reads neither shift nor repeat a page.
 */
export const AgentHistoryPage = z.object({
  messages: z.array(AgentHistoryItem),
  /** Pass as `cursor` for the entries before this page; null when this page holds the first. */
  next_cursor: z.string().nullable(),
});
export type AgentHistoryPage = z.infer<typeof AgentHistoryPage>;
