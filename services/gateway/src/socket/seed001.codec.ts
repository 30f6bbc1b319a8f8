import { Seed001ClientFrame, UNAVAILABLE_MESSAGE, type ErrorCode, type Seed001ServerFrame } from '@chatbot/proto';
import { describeIssue, exceeds, INVALID_JSON, parseJsonObject, type DecodedFrame, type ServerFrame } from './frame.codec';
import { StreamedAnswers } from './seed.answer';
import type { CodecContext, EncodedFrame, WireCodec } from './wire.codec';

/**
 * Seed 001's chat (`/ws/chat`): `{"type":"message","content","session_id"}` in; per message
 * `typing: true` once it is taken, its answer as `response_chunk` pieces (the deltas, then what the
 * committed answer adds), then `typing: false` (also when it is handed to a person, whose words
 * come later as pieces of their own). Nothing here is droppable: the client has no
 * final frame to recover a lost piece from, so a slow reader is closed instead.
 */
export class Seed001Codec implements WireCodec {
  readonly name = 'seed001';
  private readonly answers = new StreamedAnswers();
  /** Messages whose `typing: true` went out and whose `typing: false` did not yet. */
  private readonly typing = new Set<string>();

  constructor(private readonly context: CodecContext) {}

  decode(text: string, maxChars: number): DecodedFrame {
    const record = parseJsonObject(text);
    if (!record) return INVALID_JSON;
    if (record.type !== undefined && record.type !== 'message') return { ok: false, code: 'E4009', error: 'type: unsupported frame type' };
    const parsed = Seed001ClientFrame.safeParse(record);
    if (!parsed.success) return { ok: false, code: 'E4002', error: describeIssue(parsed.error.issues[0], record) };
    const { content, session_id: sessionId } = parsed.data;
    // One socket speaks for one session: a frame naming another is refused, never routed there.
    if (sessionId !== undefined && sessionId !== this.context.sessionId) {
      return { ok: false, code: 'E4002', error: "session_id: is not this connection's session" };
    }
    if (exceeds(content, maxChars)) return { ok: false, code: 'E4003', error: `content: must be at most ${maxChars} characters` };
    return { ok: true, frame: { type: 'message', message_id: this.context.newId(), message: content } };
  }

  encode(frame: ServerFrame): EncodedFrame[] {
    switch (frame.type) {
      case 'accepted':
        this.typing.add(frame.messageId);
        return [out({ type: 'typing', is_typing: true })];
      case 'delta':
        this.answers.add(frame.messageId, frame.text);
        return [out({ type: 'response_chunk', content: frame.text, message_id: frame.messageId })];
      case 'reply':
        return this.finish(frame.frame.message_id, frame.frame.answer.message);
      case 'unavailable':
        return this.finish(frame.messageId, UNAVAILABLE_MESSAGE);
      case 'error':
        return [out(errorFrame(frame.code, frame.text, frame.messageId, frame.retryAfterMs)), ...this.settled(frame.code, frame.messageId)];
      case 'handed':
        // A person answers it, later and as a message of its own: the assistant is not typing.
        return this.stopTyping(frame.messageId);
      default:
        return []; // session, stored, typing (the message's typing is already on), resync
    }
  }

  private finish(messageId: string, answer: string): EncodedFrame[] {
    const rest = this.answers.rest(messageId, answer);
    const chunk = rest === '' ? [] : [out({ type: 'response_chunk', content: rest, message_id: messageId })];
    return [...chunk, ...this.stopTyping(messageId)];
  }

  /** A refusal ends the message; a late answer (E5001) does not: its reply still follows. */
  private settled(code: ErrorCode, messageId: string | undefined): EncodedFrame[] {
    return code === 'E5001' || messageId === undefined ? [] : this.stopTyping(messageId);
  }

  private stopTyping(messageId: string): EncodedFrame[] {
    return this.typing.delete(messageId) ? [out({ type: 'typing', is_typing: false })] : [];
  }
}

function errorFrame(code: ErrorCode, error: string, messageId?: string, retryAfterMs?: number): Seed001ServerFrame {
  const frame: Seed001ServerFrame = { type: 'error', error, code };
  if (messageId !== undefined) frame.message_id = messageId;
  if (retryAfterMs !== undefined) frame.retry_after_ms = retryAfterMs;
  return frame;
}

const out = (frame: Seed001ServerFrame): EncodedFrame => ({ type: frame.type, text: JSON.stringify(frame), droppable: false });
