import { z } from 'zod';
import { SessionId } from '../common';
import { AccountId } from '../rest/accounts';
import { ConversationStatus } from './handoff-payloads';

/**
 * What agents see move live (`agent.event.v1.<sid>`, stream AGENT_EVENTS), published by chat-log
 * after the change committed. The stream's own sequence is the resume point of the agents'
 * socket, so every gateway replays the same events in the same order.
 */
const base = { session_id: SessionId, at: z.string() };

/**
 * A message of a conversation: a user's message as it is stored (whoever answers it), or a frame
 * as it is released (the assistant's reply, an agent's message, a status notice), as the lists'
 * `last_message` tells them. `message_id` is the user's `message_id` or the frame's `message_id`.
 */
export const AgentNewMessageEvent = z.object({
  type: z.literal('new_message'),
  ...base,
  message_id: z.string(),
  sender: z.enum(['user', 'bot', 'agent', 'system']),
  message: z.string(),
});

export const AgentStatusChangedEvent = z.object({
  type: z.literal('session_status_changed'),
  ...base,
  from: ConversationStatus,
  to: ConversationStatus,
  /** The conversation's status version after the change. */
  version: z.number().int().positive(),
  /** The account that made the change, when an account did. */
  actor_id: AccountId.optional(),
});

/** Sent beside `session_status_changed` when a conversation is closed. */
export const AgentSessionCompletedEvent = z.object({
  type: z.literal('session_completed'),
  ...base,
  version: z.number().int().positive(),
});

/** The user's messages with no agent message after them, as counted when the event was committed. */
export const AgentUnreadCountEvent = z.object({
  type: z.literal('unread_count_updated'),
  ...base,
  unread_count: z.number().int().nonnegative(),
});

/** The conversation's owner erased it: it leaves every list, and nothing more comes of it. */
export const AgentSessionRemovedEvent = z.object({
  type: z.literal('session_removed'),
  ...base,
});

export const AgentEventV1 = z.discriminatedUnion('type', [
  AgentNewMessageEvent, AgentStatusChangedEvent, AgentSessionCompletedEvent, AgentUnreadCountEvent, AgentSessionRemovedEvent,
]);
export type AgentEventV1 = z.infer<typeof AgentEventV1>;
