import { ConversationStatus, ToolName, type CommittedFrame, type TokenUsage } from '@chatbot/proto';
import { Prisma } from '../generated/prisma/client';

/** A released reply, as every query that feeds frames returns it. */
export interface ReleasedReply {
  id: string;
  sessionId: string;
  replyId: string;
  seq: number;
  frameMessageId: string;
  promptMessageId: string | null;
  message: string;
  loginRequired: boolean;
  cardList: unknown;
  relatedQuestions: unknown;
  toolName: string | null;
  usage: unknown;
  createdAt: Date;
  releasedAt: Date;
  /** null: the assistant; else `agent` or `system`. */
  sender: string | null;
  announcesStatus: string | null;
}

/** Frames of one session must leave in seq order. */
export function bySessionThenSeq(a: ReleasedReply, b: ReleasedReply): number {
  return a.sessionId === b.sessionId ? a.seq - b.seq : a.sessionId < b.sessionId ? -1 : 1;
}

/** The select list producing a ReleasedReply from `chat_log.replies r`. */
export const RELEASED_COLUMNS = Prisma.raw(`r.id::text AS id, r.session_id::text AS "sessionId",
  r.reply_id AS "replyId", r.seq, r.frame_message_id AS "frameMessageId",
  r.prompt_message_id AS "promptMessageId", r.message, r.login_required AS "loginRequired",
  r.card_list AS "cardList", r.related_questions AS "relatedQuestions", r.tool_name AS "toolName",
  r.usage, r.created_at AS "createdAt", r.released_at AS "releasedAt", r.sender,
  r.announces_status AS "announcesStatus"`);

// Plain checks rather than zod: a failed safeParse builds an error object, and this runs per frame.
const stringList = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;

const toolNames: ReadonlySet<string> = new Set(ToolName.options);
const isToolName = (value: unknown): value is ToolName => typeof value === 'string' && toolNames.has(value);

const isUsage = (value: unknown): value is TokenUsage =>
  typeof value === 'object' &&
  value !== null &&
  ['prompt_tokens', 'completion_tokens', 'total_tokens'].every((key) => typeof (value as Record<string, unknown>)[key] === 'number');

/**
 * The frame the gateway turns into the bot frame. Built only from stored columns, so a frame
 * published again by the outbox or replayed after a reconnect is identical to the first one.
 */
export function toFrame(reply: ReleasedReply): CommittedFrame {
  const cardList = stringList(reply.cardList);
  const relatedQuestions = stringList(reply.relatedQuestions);
  return {
    seq: reply.seq,
    message_id: reply.frameMessageId,
    prompt_message_id: reply.promptMessageId,
    answer: {
      message: reply.message,
      login_required: reply.loginRequired,
      ...(cardList ? { card_list: cardList } : {}),
      ...(relatedQuestions ? { related_questions: relatedQuestions } : {}),
      ...(isToolName(reply.toolName) ? { tool_name: reply.toolName } : {}),
    },
    ...(isUsage(reply.usage) ? { usage: reply.usage } : {}),
    timestamp: reply.releasedAt.toISOString(),
    ...senderOf(reply),
  };
}

const statuses: ReadonlySet<string> = new Set(ConversationStatus.options);

/** An agent's or chat-log's frame says so; the assistant's carry no sender. */
function senderOf(reply: ReleasedReply): Pick<CommittedFrame, 'sender' | 'status'> {
  if (reply.sender === 'agent') return { sender: 'agent' };
  if (reply.sender !== 'system') return {};
  const status = reply.announcesStatus;
  return status !== null && statuses.has(status) ? { sender: 'system', status: status as ConversationStatus } : { sender: 'system' };
}
