import { z } from 'zod';
import { SessionId, ToolName } from '../common';

/**
 * REST bodies of conversations (`/api/chat/sessions*`, `/api/chat/history`). A conversation is a
 * chat session owned by an account. Requests are strict: an unknown field or query parameter is
 * refused (422).
 */

/** What the user calls a conversation; a blank title is refused rather than stored. */
export const ConversationTitle = z.string().trim().min(1, 'title must not be blank').max(200);

/** `POST /api/chat/sessions`: without a title, the first message stands in for one. */
export const ConversationCreateRequest = z.strictObject({ title: ConversationTitle.optional() });
export type ConversationCreateRequest = z.infer<typeof ConversationCreateRequest>;

/** `PUT /api/chat/sessions/{id}/title`. */
export const ConversationRenameRequest = z.strictObject({ title: ConversationTitle });
export type ConversationRenameRequest = z.infer<typeof ConversationRenameRequest>;

export const Conversation = z.object({
  session_id: SessionId,
  /** The owner's title, else the start of the first message; null while it has neither. */
  title: z.string().nullable(),
  created_at: z.string(),
  /** Last stored message or rename. */
  updated_at: z.string(),
});
export type Conversation = z.infer<typeof Conversation>;

/** Query numbers arrive as text. Offsets are bounded so a hostile one cannot make Postgres skip millions of rows. */
const Limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);
const Offset = z.coerce.number().int().min(0).max(100_000).default(0);

/** `GET /api/chat/sessions?limit&offset`: newest (by updated_at) first. */
export const ConversationListQuery = z.strictObject({ limit: Limit(100, 20), offset: Offset });
export type ConversationListQuery = z.infer<typeof ConversationListQuery>;

export const ConversationListResponse = z.object({
  sessions: z.array(Conversation),
  total_sessions: z.number().int().nonnegative(),
});
export type ConversationListResponse = z.infer<typeof ConversationListResponse>;

export const ConversationDeletedResponse = z.object({ session_id: SessionId, deleted: z.literal(true) });
export type ConversationDeletedResponse = z.infer<typeof ConversationDeletedResponse>;

/**
 * `GET /api/chat/history?session_id&limit&offset`: `offset` skips the newest entries, so
 * offset 0 is the latest page and a larger offset goes back in time; each page is oldest first.
 */
export const HistoryPageQuery = z.strictObject({ session_id: SessionId, limit: Limit(200, 50), offset: Offset });
export type HistoryPageQuery = z.infer<typeof HistoryPageQuery>;

/** `agent`: a reply a human agent wrote (handoff); `assistant`: the bot's. */
export const HistoryRole = z.enum(['user', 'assistant', 'agent']);

/**
 * One entry of a conversation. A reply carries the `message_id` its frame showed (its prompt's
 * id, the feedback key; a push its own) and its tool metadata as the frame had it.
 */
export const HistoryItem = z.object({
  message_id: z.string(),
  role: HistoryRole,
  content: z.string(),
  created_at: z.string(),
  login_required: z.boolean().optional(),
  card_list: z.array(z.string()).optional(),
  related_questions: z.array(z.string()).optional(),
  tool_name: ToolName.optional(),
  /** The user's feedback on the reply: helpful, not helpful, or none (null). */
  feedback: z.boolean().nullable().optional(),
});
export type HistoryItem = z.infer<typeof HistoryItem>;

export const HistoryPageResponse = z.object({
  messages: z.array(HistoryItem),
  total_messages: z.number().int().nonnegative(),
  /** Older entries exist before this page. */
  has_more: z.boolean(),
});
export type HistoryPageResponse = z.infer<typeof HistoryPageResponse>;
