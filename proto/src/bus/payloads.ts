import { z } from 'zod';
import { AnswerFields, MessageId, SessionId, SystemPrompt, TokenUsage } from '../common';
import { FaqItem, PersonasResponse, TermItem } from '../rest/bodies';
import { AttachmentId } from '../rest/attachments';
import { ConversationStatus } from './handoff-payloads';

/** Attachments one message may reference (uploaded first, by its sender, to its session). */
export const AttachmentIds = z.array(AttachmentId).min(1).max(10);

// ---------- Events (JetStream) ----------

/** A user message the gateway accepted. Key: (session_id, message_id). */
export const ChatInboundV1 = z.object({
  session_id: SessionId,
  message_id: MessageId,
  text: z.string().min(1),
  client_timestamp: z.string().max(64).optional(),
  received_at: z.string(),
  gateway_id: z.string(),
  /** The sender's WebSocket protocol: chat-log sends `stored` only for 2 (1 has no such frame). */
  protocol: z.union([z.literal(1), z.literal(2)]),
  /**
   * The signed-in account that sent it (absent for anonymous sockets). chat-log makes it the owner
   * of a session it has not seen, and refuses it on a session another account owns.
   */
  user_id: z.string().uuid().optional(),
  /**
   * A system prompt for this message only, from a caller the deployment allows (the gateway checks
   * the caller; nobody downstream trusts it from anyone else).
   */
  system_prompt: SystemPrompt.optional(),
  /**
   * Attachments the message references. chat-log links those that are complete, of this session
   * and uploaded by `user_id`, and ignores any other id.
   */
  attachment_ids: AttachmentIds.optional(),
});
export type ChatInboundV1 = z.infer<typeof ChatInboundV1>;

/**
 * One entry of a conversation as chat-log lists it: a user message, or a reply released for it
 * (`message_id` is then the id the frame shows: its prompt's, or a push's own).
 */
export const HistoryTurn = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  message_id: z.string(),
  at: z.string(),
  /** A user message's linked attachments (in the `history` answer only; absent when none). */
  attachment_ids: z.array(z.string().uuid()).optional(),
});
export type HistoryTurn = z.infer<typeof HistoryTurn>;

/**
 * A user message chat-log has stored (its transaction committed), with its turn and the session's
 * last entries before it, oldest first: what the user had seen when sending it. The one event
 * that decides what happens to a stored message. Key: (session_id, message_id).
 */
export const ChatStoredV1 = z.object({
  session_id: SessionId,
  message_id: MessageId,
  turn: z.number().int().positive(),
  text: z.string().min(1),
  received_at: z.string(),
  /** Present when chat-log is configured to carry it (HISTORY_TURNS > 0); else the worker reads it. */
  history: z.array(HistoryTurn).optional(),
  /** As the inbound message carried it. */
  system_prompt: SystemPrompt.optional(),
});
export type ChatStoredV1 = z.infer<typeof ChatStoredV1>;

/**
 * A message the cache did not answer, queued for the LLM worker pool, with the conversation before
 * it as chat.stored carried it. Optional, so a job queued before the field existed still parses
 * (it is answered without history).
 */
/**
 * One message of a signed-in user that chat-log stored, for persona's usage counter. Published
 * after the store's commit with `Nats-Msg-Id = usage:<message_id>`, again after a crash (the batch
 * is redelivered); persona counts each message id once, ever.
 */
export const ChatUsageV1 = z.object({
  message_id: MessageId,
  session_id: SessionId,
  user_id: z.string().uuid(),
  received_at: z.string(),
});
export type ChatUsageV1 = z.infer<typeof ChatUsageV1>;

export const LlmJobV1 = z.object({
  session_id: SessionId,
  message_id: MessageId,
  text: z.string().min(1),
  received_at: z.string(),
  history: z.array(HistoryTurn).optional(),
  /** As the inbound message carried it. */
  system_prompt: SystemPrompt.optional(),
});
export type LlmJobV1 = z.infer<typeof LlmJobV1>;

/**
 * A candidate bot reply. chat-log commits at most one per prompt (the first wins), releases them in
 * the order the user sent the prompts, and only then does the user see it.
 * `kind: push` is an unsolicited frame (the login recommendation) with no prompt.
 */
export const ChatReplyV1 = z.object({
  reply_id: z.string().min(1).max(128),
  session_id: SessionId,
  kind: z.enum(['answer', 'push', 'failure']),
  prompt_message_id: MessageId.nullable(),
  answer: AnswerFields,
  usage: TokenUsage.optional(),
  source: z.enum(['qna-cache', 'llm-dispatch', 'persona', 'gateway', 'chat-log']),
  error_code: z.string().optional(),
  produced_at: z.string(),
});
export type ChatReplyV1 = z.infer<typeof ChatReplyV1>;

// ---------- Session delivery (core NATS, to the gateway that holds the socket) ----------

export const CommittedFrame = z.object({
  seq: z.number().int().positive(),
  message_id: z.string(),
  prompt_message_id: MessageId.nullable(),
  answer: AnswerFields,
  usage: TokenUsage.optional(),
  timestamp: z.string(),
  /** Who wrote it when not the assistant: an agent, or chat-log telling of a status change. */
  sender: z.enum(['agent', 'system']).optional(),
  /** A `system` frame: the conversation's status it announces. */
  status: ConversationStatus.optional(),
});
export type CommittedFrame = z.infer<typeof CommittedFrame>;

export const SessionDeliveryV1 = z.discriminatedUnion('type', [
  z.object({ type: z.literal('frame'), frame: CommittedFrame }),
  z.object({ type: z.literal('stored'), message_id: MessageId }),
  z.object({ type: z.literal('typing'), message_id: MessageId }),
  z.object({
    type: z.literal('delta'),
    message_id: MessageId,
    index: z.number().int().nonnegative(),
    text: z.string(),
  }),
  z.object({ type: z.literal('rejected'), message_id: MessageId, code: z.string() }),
  /** Stored while the conversation is `waiting` or `agent`: an agent answers it, the assistant does not. */
  z.object({ type: z.literal('handed'), message_id: MessageId, status: ConversationStatus }),
]);
export type SessionDeliveryV1 = z.infer<typeof SessionDeliveryV1>;

// ---------- Requests (core NATS request/reply) ----------

export const Empty = z.object({});

export const PresenceResponse = z.object({ gateway_id: z.string() });

export const FeedbackCommand = z.object({
  message_id: MessageId,
  is_helpful: z.boolean().nullable(),
  /**
   * The signed-in caller, if any. A reply of an account's conversation takes feedback only from
   * that account; an anonymous conversation's from whoever holds the message id (seed 000).
   */
  user_id: z.string().uuid().nullable().optional(),
});
export const FeedbackResult = z.object({
  message_id: z.string(),
  feedback_received: z.boolean().nullable(),
});

export const HistoryQuery = z.object({
  session_id: SessionId,
  limit: z.number().int().min(1).max(200),
});
export const HistoryResult = z.object({ turns: z.array(HistoryTurn) });

/**
 * May this caller open this session? `new`: chat-log has not seen it; `owner`: the account owns it;
 * `anonymous`: it exists without an owner; `other`: another account owns it. The gateway lets an
 * account open `new` and `owner`, an anonymous socket `new` and `anonymous`, and answers anything
 * else as if the session did not exist.
 */
export const SessionAccessQuery = z.object({
  session_id: SessionId,
  user_id: z.string().uuid().nullable(),
});
export const SessionAccessResult = z.object({ access: z.enum(['new', 'owner', 'anonymous', 'other']) });
export type SessionAccessResult = z.infer<typeof SessionAccessResult>;

export const FramesQuery = z.object({
  session_id: SessionId,
  after_seq: z.number().int().nonnegative(),
});
export const FramesResult = z.object({
  frames: z.array(CommittedFrame),
  last_seq: z.number().int().nonnegative(),
  /** true when frames after `after_seq` are no longer all kept: the client must reload. */
  resync: z.boolean(),
});

/** A resent message the broker dropped as a duplicate: is it stored, and was it answered? */
export const PromptQuery = z.object({
  session_id: SessionId,
  message_id: MessageId,
});
export const PromptStatus = z.object({
  /**
   * `stored` for this session (a v2 client may stop resending); `missing`: not stored (yet);
   * `other_session`: the id is another session's, the message was refused (E4008).
   */
  message: z.enum(['stored', 'missing', 'other_session']),
  /** The released frame answering it, or null while it has none. */
  frame: CommittedFrame.nullable(),
  /** Set when it was handed to a person (no assistant frame will come): the status it was stored under. */
  handed: z.enum(['waiting', 'agent']).optional(),
});

export const TopKCommand = z.object({ top_k: z.number().int().min(1).max(100) });
export const FaqTopResult = z.object({ items: z.array(FaqItem) });
export const TermTopResult = z.object({ items: z.array(TermItem) });

export const SearchQuery = z.object({
  query: z.string().min(1).max(4000),
  limit: z.number().int().min(1).max(20),
});
export const FaqHit = z.object({
  faq_id: z.string(),
  category: z.string(),
  question: z.string(),
  answer: z.string(),
  score: z.number(),
});
export const FaqSearchResult = z.object({ hits: z.array(FaqHit) });
export type FaqHit = z.infer<typeof FaqHit>;
export const TermHit = z.object({
  term_id: z.string(),
  term: z.string(),
  english: z.string().nullable(),
  definition: z.string(),
  related_terms: z.array(z.string()),
  score: z.number(),
});
export const TermSearchResult = z.object({ hits: z.array(TermHit) });
export type TermHit = z.infer<typeof TermHit>;
export const CardInfo = z.object({
  name: z.string(),
  type: z.enum(['credit', 'check']),
  annual_fee_domestic: z.number().int(),
  annual_fee_overseas: z.number().int(),
  summary: z.string(),
  benefits: z.array(z.string()),
  tags: z.array(z.string()),
  score: z.number(),
});
export const CardSearchResult = z.object({ cards: z.array(CardInfo) });
export type CardInfo = z.infer<typeof CardInfo>;
/** Every card product name of the catalogue, as stored (the owner's spelling). */
export const CardNamesResult = z.object({ names: z.array(z.string().min(1)) });
/** qna-cache (re)loaded its catalogue: copies of it (card names) are stale. */
export const CatalogueChangedV1 = z.object({ cards: z.number().int().min(0), changed_at: z.string().datetime() });
export type CatalogueChangedV1 = z.infer<typeof CatalogueChangedV1>;

export const LoginCommand = z.object({ session_id: SessionId, persona_id: z.number().int() });
export const LoginResult = z.object({ persona_id: z.number().int() });
export const BindingQuery = z.object({ session_id: SessionId });
export const BindingResult = z.object({ persona_id: z.number().int().nullable() });
export const RecommendQuery = z.object({ session_id: SessionId });
export const RecommendResult = z.object({
  login_required: z.boolean(),
  persona_id: z.number().int().nullable(),
  cluster_label: z.string().nullable(),
  cards: z.array(z.object({ name: z.string(), reason: z.string() })),
  message: z.string(),
});
export type RecommendResult = z.infer<typeof RecommendResult>;

export const QueueDepthResult = z.object({
  consumer: z.string(),
  pending: z.number().int().nonnegative(),
  ack_pending: z.number().int().nonnegative(),
  redelivered: z.number().int().nonnegative(),
  waiting: z.number().int().nonnegative(),
});

export { PersonasResponse };
