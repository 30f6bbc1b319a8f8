import { z } from 'zod';
import { SessionId } from '../common';

// The human handoff: a conversation's status, owned by chat-log and changed only there.

/**
 * `bot`: the assistant answers; `waiting`: the user asked for a person (or a rule escalated) and
 * the assistant no longer answers; `agent`: an agent holds it and answers; `completed`: closed.
 */
export const ConversationStatus = z.enum(['bot', 'waiting', 'agent', 'completed']);
export type ConversationStatus = z.infer<typeof ConversationStatus>;

/**
 * `handoff`: the user (or a rule) asks for a person (bot → waiting); `takeover`: an agent takes it
 * (bot or waiting → agent); `release`: back to the assistant (agent → bot); `provide_info`: an
 * agent answers with a message and hands back to the assistant (waiting or agent → bot);
 * `complete`: closed (any open state → completed).
 */
export const HandoffAction = z.enum(['handoff', 'takeover', 'release', 'provide_info', 'complete']);
export type HandoffAction = z.infer<typeof HandoffAction>;

/** What an agent writes to a user. */
export const AgentText = z.string().trim().min(1).max(4000);

/** A conversation's status as chat-log holds it; `version` moves by one with every change. */
export const ConversationState = z.object({
  session_id: SessionId,
  status: ConversationStatus,
  version: z.number().int().nonnegative(),
  /** The agent holding it (`agent` only), else null. */
  holder_id: z.string().uuid().nullable(),
  changed_at: z.string(),
});
export type ConversationState = z.infer<typeof ConversationState>;

/**
 * Why a command was refused: `state` (the status does not allow it), `holder` (another agent holds
 * it), `version` (the caller's expected_version is stale), `unanswered` (messages handed to the
 * agent have no agent message after them: send one, or use provide_info).
 */
export const HandoffConflict = z.enum(['state', 'holder', 'version', 'unanswered']);

/**
 * A change of status. `actor_id`: the agent (takeover, release, provide_info, complete) or the user
 * (handoff, null when anonymous). Applied by a compare-and-set on status and version in one
 * statement; asking again for the state a conversation is in (by the same agent) is `unchanged`.
 */
export const HandoffCommand = z.object({
  session_id: SessionId,
  action: HandoffAction,
  actor_id: z.string().uuid().nullable(),
  /** When given, the command applies only to this version (optimistic concurrency). */
  expected_version: z.number().int().nonnegative().optional(),
  /** provide_info: required; release and complete: optional closing words; sent as an agent message. */
  message: AgentText.optional(),
  /** An admin acting on a conversation another agent holds (a colleague who went away). */
  force: z.boolean().optional(),
});
export type HandoffCommand = z.infer<typeof HandoffCommand>;

export const HandoffResult = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('changed'), state: ConversationState }),
  z.object({ outcome: z.literal('unchanged'), state: ConversationState }),
  z.object({ outcome: z.literal('conflict'), reason: HandoffConflict, state: ConversationState }),
  z.object({ outcome: z.literal('not_found') }),
]);
export type HandoffResult = z.infer<typeof HandoffResult>;

/** An agent's message to the user of a conversation the agent holds. */
export const AgentMessageCommand = z.object({
  session_id: SessionId,
  agent_id: z.string().uuid(),
  message: AgentText,
});
export type AgentMessageCommand = z.infer<typeof AgentMessageCommand>;

export const AgentMessageResult = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('sent'), message_id: z.string(), seq: z.number().int().positive(), state: ConversationState }),
  z.object({ outcome: z.literal('conflict'), reason: HandoffConflict, state: ConversationState }),
  z.object({ outcome: z.literal('not_found') }),
]);
export type AgentMessageResult = z.infer<typeof AgentMessageResult>;

/** `active`: bot or agent; `pending`: waiting for an agent; `completed`: closed. */
export const ConversationList = z.enum(['active', 'pending', 'completed']);
export type ConversationList = z.infer<typeof ConversationList>;

/** One page of an agents' list (not the conversations of an account: see rest/conversations). */
export const AgentListQuery = z.object({
  list: ConversationList,
  limit: z.number().int().min(1).max(100),
  /** The `next_cursor` of the previous page. */
  cursor: z.string().max(200).optional(),
});
export type AgentListQuery = z.infer<typeof AgentListQuery>;

export const ConversationSummary = ConversationState.extend({
  created_at: z.string(),
  /** User messages handed to the agent with no agent message after them. */
  unread: z.number().int().nonnegative(),
  last_message: z
    .object({ sender: z.enum(['user', 'bot', 'agent', 'system']), text: z.string(), at: z.string() })
    .nullable(),
});
export type ConversationSummary = z.infer<typeof ConversationSummary>;

export const ConversationListResult = z.object({
  items: z.array(ConversationSummary),
  /** Pass as `cursor` for the next page; null on the last one. */
  next_cursor: z.string().nullable(),
});
export type ConversationListResult = z.infer<typeof ConversationListResult>;

/** A page of one conversation's entries for agents; an unknown or erased conversation is E4005. */
export const AgentHistoryQuery = z.object({
  session_id: SessionId,
  limit: z.number().int().min(1).max(100),
  /** The `next_cursor` of the previous page; an unreadable one is E4001. */
  cursor: z.string().max(200).optional(),
});
export type AgentHistoryQuery = z.infer<typeof AgentHistoryQuery>;
