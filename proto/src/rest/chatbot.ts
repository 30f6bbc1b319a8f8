import { z } from 'zod';
import { SessionId, SystemPrompt } from '../common';
import { AccountId } from './accounts';

/**
 * The chatbot's settings, as an admin edits them (`PUT /api/admin/chatbot/settings`). Every field
 * is required: a PUT replaces the whole set, and each saved set is one version in the history.
 */
const Keyword = z.string().trim().min(1).max(100);
const Category = z.string().trim().min(1).max(64).regex(/^[\p{L}\p{N}_ -]+$/u, 'letters, digits, space, _ and - only');

export const HandoffRules = z.strictObject({
  /** A user message containing one of these (case-insensitive) asks for a person. */
  keywords: z.array(Keyword).max(100),
  /** A conversation classified into one of these is handed to a person. */
  categories: z.array(Category).max(50),
});
export type HandoffRules = z.infer<typeof HandoffRules>;

export const ChatbotSettings = z.strictObject({
  system_prompt: SystemPrompt,
  /** The first thing a new conversation shows. */
  greeting: z.string().trim().min(1).max(1000),
  /** The model name sent to the OpenAI-compatible server. */
  model: z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9._:/-]+$/, 'letters, digits and . _ : / - only'),
  temperature: z.number().min(0).max(2),
  max_tokens: z.number().int().min(1).max(32_768),
  handoff: HandoffRules,
  /** Whether a per-message system prompt from a trusted client (checked by the gateway) is used. */
  allow_client_system_prompt: z.boolean(),
});
export type ChatbotSettings = z.infer<typeof ChatbotSettings>;

/** One saved version: the settings, who saved them and when. Version 0 is "never saved" (settings null). */
export const ChatbotSettingsRecord = z.object({
  version: z.number().int().nonnegative(),
  settings: ChatbotSettings.nullable(),
  updated_by: AccountId.nullable(),
  updated_at: z.string().nullable(),
});
export type ChatbotSettingsRecord = z.infer<typeof ChatbotSettingsRecord>;

/** `GET /api/chat/greeting`: what a client shows when a conversation opens; null before settings were saved. */
export const GreetingResponse = z.object({ greeting: z.string().nullable() });

/** `GET /api/admin/chatbot/settings/history?limit=&before_version=` */
export const SettingsHistoryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before_version: z.coerce.number().int().positive().optional(),
});

/** `GET …/settings/history`: newest first. */
export const ChatbotSettingsHistoryResponse = z.object({ items: z.array(ChatbotSettingsRecord) });

// ---------- Conversation status and AI summaries ----------

/** Where a conversation is: the assistant answers, it waits for a person, a person answers, closed. */

/** The transitions that ask for a summary: entering `waiting`, and completing. */
export const SummaryTrigger = z.enum(['waiting', 'completed']);
export type SummaryTrigger = z.infer<typeof SummaryTrigger>;

const SummaryText = z.string().max(2000);

/** What an agent reads before taking a conversation over or after it closed. */
export const ChatSummary = z.object({
  session_id: SessionId,
  trigger: SummaryTrigger,
  version: z.number().int().positive(),
  /** The customer's issue. */
  issue: SummaryText,
  /** What the assistant (or agent) already tried. */
  tried: SummaryText,
  /** What is still open. */
  open: SummaryText,
  category: z.string().min(1).max(64),
  /** `llm`: written by the model; `extractive`: picked from the conversation (no model, or the model failed). */
  source: z.enum(['llm', 'extractive']),
  created_at: z.string(),
});
export type ChatSummary = z.infer<typeof ChatSummary>;

/** `GET /api/admin/chats/{id}/summary`: the latest summary (null before the first), and every one, newest first. */
export const ChatSummaryResponse = z.object({
  session_id: SessionId,
  summary: ChatSummary.nullable(),
  history: z.array(ChatSummary),
});
export type ChatSummaryResponse = z.infer<typeof ChatSummaryResponse>;
export type ChatbotSettingsHistoryResponse = z.infer<typeof ChatbotSettingsHistoryResponse>;
