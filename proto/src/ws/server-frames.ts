import { z } from 'zod';
import { AnswerFields, MessageId, SessionId, TokenUsage } from '../common';
import { ConversationStatus } from '../bus/handoff-payloads';

// ---- Seed protocol (v1): exactly the frames the seed's React client reads. ----

export const SessionFrameV1 = z.object({ session_id: SessionId });
export type SessionFrameV1 = z.infer<typeof SessionFrameV1>;

export const BotFrameV1 = z.object({
  sender: z.literal('bot'),
  timestamp: z.string(),
  message_id: z.string(),
  ...AnswerFields.shape,
});
export type BotFrameV1 = z.infer<typeof BotFrameV1>;

/** An agent's message: the bot frame's envelope with `sender: "agent"`. */
export const AgentFrameV1 = BotFrameV1.extend({ sender: z.literal('agent') });
export type AgentFrameV1 = z.infer<typeof AgentFrameV1>;

export const ErrorFrameV1 = z.object({ error: z.string() });
export type ErrorFrameV1 = z.infer<typeof ErrorFrameV1>;

// ---- Protocol v2 (opt-in): every frame has a `type` and the session's sequence number `seq`. ----
// `seq` counts the durable frames of a session (bot replies and pushes, 1, 2, 3 …); the other
// frames carry the seq of the last durable frame before them, so a client always knows where to
// resume from.

const Seq = z.number().int().nonnegative();

export const SessionFrameV2 = z.object({
  type: z.literal('session'),
  session_id: SessionId,
  protocol: z.literal(2),
  resumed: z.boolean(),
  seq: Seq,
});
export const AcceptedFrameV2 = z.object({ type: z.literal('accepted'), message_id: MessageId, seq: Seq });
export const StoredFrameV2 = z.object({ type: z.literal('stored'), message_id: MessageId, seq: Seq });
export const TypingFrameV2 = z.object({ type: z.literal('typing'), message_id: MessageId, seq: Seq });
export const DeltaFrameV2 = z.object({
  type: z.literal('delta'),
  message_id: MessageId,
  /** 0, 1, 2 … within one reply. */
  index: z.number().int().nonnegative(),
  text: z.string(),
  seq: Seq,
});
export const ReplyFrameV2 = z.object({
  type: z.literal('reply'),
  ...BotFrameV1.shape,
  usage: TokenUsage.optional(),
  seq: Seq,
});
export const ErrorFrameV2 = z.object({
  type: z.literal('error'),
  error: z.string(),
  code: z.string(),
  message_id: z.string().optional(),
  incident_id: z.string().optional(),
  retry_after_ms: z.number().int().nonnegative().optional(),
  seq: Seq,
});
/** Sent after a resume request that can no longer be served from storage: reload the history. */
export const ResyncFrameV2 = z.object({
  type: z.literal('resync'),
  reason: z.string(),
  seq: Seq,
});

/** A durable frame with an agent's message. */
export const AgentFrameV2 = z.object({
  type: z.literal('agent'),
  message_id: z.string(),
  message: z.string(),
  timestamp: z.string(),
  seq: Seq,
});
/** A durable frame: the conversation's status changed (v1 clients get its text as a bot frame). */
export const StatusFrameV2 = z.object({
  type: z.literal('status'),
  status: ConversationStatus,
  message_id: z.string(),
  message: z.string(),
  timestamp: z.string(),
  seq: Seq,
});
/** The message went to an agent, not the assistant (status `waiting` or `agent`); no reply frame follows. */
export const HandedFrameV2 = z.object({ type: z.literal('handed'), message_id: MessageId, status: ConversationStatus, seq: Seq });

export const ServerFrameV2 = z.discriminatedUnion('type', [
  SessionFrameV2,
  AcceptedFrameV2,
  StoredFrameV2,
  TypingFrameV2,
  DeltaFrameV2,
  ReplyFrameV2,
  ErrorFrameV2,
  ResyncFrameV2,
  AgentFrameV2,
  StatusFrameV2,
  HandedFrameV2,
]);
export type ServerFrameV2 = z.infer<typeof ServerFrameV2>;
export type ReplyFrameV2 = z.infer<typeof ReplyFrameV2>;
