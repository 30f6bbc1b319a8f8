import { z } from 'zod';
import { SessionId } from '../common';
import { AccountId } from '../rest/accounts';
import { ChatbotSettings, ChatbotSettingsRecord, ChatSummary, ChatSummaryResponse, SummaryTrigger } from '../rest/chatbot';
import { ConversationStatus } from './handoff-payloads';

// ---------- Chatbot settings (persona owns them; llm-dispatch workers watch the KV copy) ----------

/** An admin replaces the settings; `actor_id` is the verified caller, never a value the client chose. */
export const ChatbotSettingsPutCommand = z.object({ actor_id: AccountId, settings: ChatbotSettings });
export const ChatbotSettingsHistoryQuery = z.object({
  limit: z.number().int().min(1).max(100),
  /** Only versions older than this one (the next page). */
  before_version: z.number().int().positive().optional(),
});
export const ChatbotSettingsHistoryResult = z.object({ items: z.array(ChatbotSettingsRecord) });

/**
 * The KV bucket the live settings are kept in, and its one key. The value is a ChatbotSettingsRecord
 * as JSON; an empty bucket means "no settings were ever saved": workers use their environment.
 */
export const chatbotSettingsBucket = { bucket: 'chatbot_settings', key: 'current' } as const;

// ---------- Conversation status and summaries ----------

/**
 * A conversation moved from one status to another, published by chat-log after the transition
 * committed, with `Nats-Msg-Id = <sid>:status:<version>`. `version` is the conversation's status
 * version after the move (each transition adds one), so one transition is one event however often
 * it is published.
 */
export const ChatStatusChangedV1 = z.object({
  session_id: SessionId,
  from: ConversationStatus,
  to: ConversationStatus,
  version: z.number().int().positive(),
  at: z.string(),
  /** The account that moved it (an agent, or a signed-in user asking for a person); absent when a rule or an anonymous user did. */
  actor_id: AccountId.optional(),
});
export type ChatStatusChangedV1 = z.infer<typeof ChatStatusChangedV1>;

/**
 * Summarise a conversation at one of its transitions (work queue shared by the llm-dispatch
 * workers), published with `Nats-Msg-Id = <sid>:summary:<trigger>:<version>`.
 */
export const SummaryJobV1 = z.object({
  session_id: SessionId,
  trigger: SummaryTrigger,
  /** The status version of the transition that asked for it. */
  version: z.number().int().positive(),
  requested_at: z.string(),
});
export type SummaryJobV1 = z.infer<typeof SummaryJobV1>;

/** A worker's summary for chat-log to keep; the first per (session, trigger, version) is kept. */
export const SummarySaveCommand = ChatSummary.omit({ created_at: true });
export const SummarySaveResult = z.object({ stored: z.boolean() });
export const SummaryQuery = z.object({ session_id: SessionId });
export const SummaryResult = ChatSummaryResponse;
