import type { z } from 'zod';
import {
  ClientChatFrame,
  errorCatalogue,
  MessageId,
  UNAVAILABLE_MESSAGE,
  type AnswerFields,
  type BotFrameV1,
  type CommittedFrame,
  type ErrorCode,
  type TokenUsage,
} from '@chatbot/proto';

export type Protocol = 1 | 2;

export type DecodedFrame =
  | { ok: true; frame: ClientChatFrame }
  /** `{"type":"handoff"}`: the user asks for a person. */
  | { ok: true; handoff: true }
  | { ok: false; code: ErrorCode; error: string; messageId?: string };

export const INVALID_JSON: DecodedFrame = { ok: false, code: 'E4001', error: 'Invalid JSON format' };

/** The frame as a JSON object, or undefined for anything else (invalid JSON, an array, a string). */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Parses one client text frame: JSON object, the proto schema, then the configured length limit. */
export function decodeClientFrame(text: string, maxChars: number): DecodedFrame {
  const record = parseJsonObject(text);
  if (!record) return INVALID_JSON;
  if (record.type === 'handoff') return { ok: true, handoff: true };
  if (record.type !== undefined && record.type !== 'message') {
    return { ok: false, code: 'E4009', error: 'type: unsupported frame type', messageId: echoId(record) };
  }
  const parsed = ClientChatFrame.safeParse(record);
  if (!parsed.success) {
    return { ok: false, code: 'E4002', error: describeIssue(parsed.error.issues[0], record), messageId: echoId(record) };
  }
  if (exceeds(parsed.data.message, maxChars)) {
    return { ok: false, code: 'E4003', error: `message: must be at most ${maxChars} characters`, messageId: parsed.data.message_id };
  }
  return { ok: true, frame: parsed.data };
}

/** Counts characters (code points), checking the cheap UTF-16 length first. */
export function exceeds(text: string, maxChars: number): boolean {
  if (text.length <= maxChars) return false;
  let count = 0;
  for (const _ of text) if (++count > maxChars) return true;
  return false;
}

/** The client's message id, echoed in an error frame only when it is a valid id. */
function echoId(record: Record<string, unknown>): string | undefined {
  return MessageId.safeParse(record.message_id).success ? (record.message_id as string) : undefined;
}

/** One short, human line naming the field: the seed client shows error frames as raw text. */
export function describeIssue(issue: z.core.$ZodIssue | undefined, record: Record<string, unknown>): string {
  if (!issue) return 'frame: invalid';
  const field = String(issue.path[0] ?? 'frame');
  if (record[field] === undefined) return `${field}: is required`;
  switch (issue.code) {
    case 'invalid_type':
      return `${field}: must be a ${issue.expected}`;
    case 'too_small':
      return `${field}: must not be empty`;
    case 'too_big':
      return `${field}: must be at most ${String(issue.maximum)} characters`;
    default:
      return `${field}: ${issue.message.startsWith(`${field} `) ? issue.message.slice(field.length + 1) : issue.message}`;
  }
}

// ---------- Server frames ----------

export interface ReplyContent {
  message_id: string;
  timestamp: string;
  answer: AnswerFields;
  usage?: TokenUsage;
  /** An agent's message, or chat-log telling of a status change; absent for the assistant's. */
  sender?: CommittedFrame['sender'];
  status?: CommittedFrame['status'];
}

/** Exactly the seed's bot frame: the optional tool fields only when a tool produced them. */
export function botFrame(reply: ReplyContent): BotFrameV1 {
  const { answer } = reply;
  const frame: BotFrameV1 = {
    sender: 'bot',
    timestamp: reply.timestamp,
    message_id: reply.message_id,
    login_required: answer.login_required,
    message: answer.message,
  };
  if (answer.card_list !== undefined) frame.card_list = answer.card_list;
  if (answer.related_questions !== undefined) frame.related_questions = answer.related_questions;
  if (answer.tool_name !== undefined) frame.tool_name = answer.tool_name;
  return frame;
}

export function encodeReply(protocol: Protocol, reply: ReplyContent, seq: number): string {
  if (reply.sender === 'agent') return encodeAgent(protocol, reply, seq);
  if (reply.sender === 'system' && protocol === 2 && reply.status) {
    const { message_id, timestamp } = reply;
    return JSON.stringify({ type: 'status', status: reply.status, message_id, message: reply.answer.message, timestamp, seq });
  }
  const bot = botFrame(reply);
  if (protocol === 1) return JSON.stringify(bot);
  return JSON.stringify(reply.usage ? { type: 'reply', ...bot, usage: reply.usage, seq } : { type: 'reply', ...bot, seq });
}

/** v1: the bot frame's envelope with `sender: "agent"`; v2: a frame of its own type. */
function encodeAgent(protocol: Protocol, reply: ReplyContent, seq: number): string {
  const { message_id, timestamp } = reply;
  if (protocol === 1) return JSON.stringify({ ...botFrame(reply), sender: 'agent' });
  return JSON.stringify({ type: 'agent', message_id, message: reply.answer.message, timestamp, seq });
}

/** The one bot frame a user gets when the assistant cannot answer a message. */
export function encodeUnavailable(protocol: Protocol, messageId: string, seq: number): string {
  const answer = { message: UNAVAILABLE_MESSAGE, login_required: false };
  return encodeReply(protocol, { message_id: messageId, timestamp: new Date().toISOString(), answer }, seq);
}

export function encodeError(protocol: Protocol, code: ErrorCode, error: string, seq: number, messageId?: string, retryAfterMs?: number): string {
  if (protocol === 1) return JSON.stringify({ error });
  const frame: Record<string, unknown> = { type: 'error', error, code };
  if (messageId !== undefined) frame.message_id = messageId;
  if (retryAfterMs !== undefined) frame.retry_after_ms = retryAfterMs;
  frame.seq = seq;
  return JSON.stringify(frame);
}

/** The E4004 text: short, since the seed client shows it as it is. */
export const rateLimitedText = (retryAfterMs: number) => `${errorCatalogue.E4004.text} (retry in ${retryAfterMs} ms)`;

export const encodeV2 = {
  session: (sessionId: string, resumed: boolean, seq: number) =>
    JSON.stringify({ type: 'session', session_id: sessionId, protocol: 2, resumed, seq }),
  accepted: (messageId: string, seq: number) => JSON.stringify({ type: 'accepted', message_id: messageId, seq }),
  stored: (messageId: string, seq: number) => JSON.stringify({ type: 'stored', message_id: messageId, seq }),
  typing: (messageId: string, seq: number) => JSON.stringify({ type: 'typing', message_id: messageId, seq }),
  delta: (messageId: string, index: number, text: string, seq: number) =>
    JSON.stringify({ type: 'delta', message_id: messageId, index, text, seq }),
  resync: (reason: string, seq: number) => JSON.stringify({ type: 'resync', reason, seq }),
  handed: (messageId: string, status: string, seq: number) => JSON.stringify({ type: 'handed', message_id: messageId, status, seq }),
};

export const encodeSessionV1 = (sessionId: string) => JSON.stringify({ session_id: sessionId });

/** A frame the client is to see, as the socket's order decided it; `ServerFrame` adds its seq. */
export type ServerFrameBody =
  | { type: 'session'; sessionId: string; resumed: boolean }
  | { type: 'accepted' | 'stored' | 'typing'; messageId: string }
  | { type: 'delta'; messageId: string; index: number; text: string }
  | { type: 'reply'; frame: CommittedFrame }
  | { type: 'unavailable'; messageId: string }
  | { type: 'error'; code: ErrorCode; text: string; messageId?: string; retryAfterMs?: number }
  | { type: 'resync'; reason: string }
  | { type: 'handed'; messageId: string; status: string };

/** The session's seq when the frame was decided: the last committed frame the client has. */
export type ServerFrame = ServerFrameBody & { seq: number };

/** The frame's text and the type it is counted under (the unavailable frame is a `reply`). */
export function encodeServerFrame(protocol: Protocol, frame: ServerFrame): { type: string; text: string } {
  const { seq } = frame;
  switch (frame.type) {
    case 'session':
      return { type: 'session', text: protocol === 1 ? encodeSessionV1(frame.sessionId) : encodeV2.session(frame.sessionId, frame.resumed, seq) };
    case 'accepted':
    case 'stored':
    case 'typing':
      return { type: frame.type, text: encodeV2[frame.type](frame.messageId, seq) };
    case 'delta':
      return { type: 'delta', text: encodeV2.delta(frame.messageId, frame.index, frame.text, seq) };
    case 'reply':
      return { type: 'reply', text: encodeReply(protocol, frame.frame, seq) };
    case 'unavailable':
      return { type: 'reply', text: encodeUnavailable(protocol, frame.messageId, seq) };
    case 'error':
      return { type: 'error', text: encodeError(protocol, frame.code, frame.text, seq, frame.messageId, frame.retryAfterMs) };
    case 'resync':
      return { type: 'resync', text: encodeV2.resync(frame.reason, seq) };
    case 'handed':
      return { type: 'handed', text: encodeV2.handed(frame.messageId, frame.status, seq) };
  }
}
