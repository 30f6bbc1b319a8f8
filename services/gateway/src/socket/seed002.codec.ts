import { Seed002ClientFrame, UNAVAILABLE_MESSAGE, type ClientChatFrame, type Seed002ServerFrame } from '@chatbot/proto';
import { describeIssue, exceeds, INVALID_JSON, parseJsonObject, type DecodedFrame, type ServerFrame } from './frame.codec';
import { StreamedAnswers } from './seed.answer';
import type { CodecContext, EncodedFrame, WireCodec } from './wire.codec';

/**
 * Seed 002's emotion chat (`/ws/emotion`): `{"user_input","step_type","system_prompt"}` in;
 * `{"session_id"}` first, then per message its answer as `{"token"}` pieces and
 * `{"done":true,"step_id","created_at"}`. Nothing is droppable: `done` does not carry the text.
 */
export class Seed002Codec implements WireCodec {
  readonly name = 'seed002';
  private readonly answers = new StreamedAnswers();

  constructor(private readonly context: CodecContext) {}

  decode(text: string, maxChars: number): DecodedFrame {
    const record = parseJsonObject(text);
    if (!record) return INVALID_JSON;
    const parsed = Seed002ClientFrame.safeParse(record);
    if (!parsed.success) return { ok: false, code: 'E4002', error: describeIssue(parsed.error.issues[0], record) };
    const { user_input: input, system_prompt: systemPrompt } = parsed.data;
    if (exceeds(input, maxChars)) return { ok: false, code: 'E4003', error: `user_input: must be at most ${maxChars} characters` };
    const frame: ClientChatFrame = { type: 'message', message_id: this.context.newId(), message: input };
    // Whether this caller may set it is judged with every protocol's frames (client-frame.handler.ts).
    if (systemPrompt !== undefined && systemPrompt.trim() !== '') frame.system_prompt = systemPrompt;
    return { ok: true, frame };
  }

  encode(frame: ServerFrame): EncodedFrame[] {
    switch (frame.type) {
      case 'session':
        return [out('session', { session_id: frame.sessionId })];
      case 'delta':
        this.answers.add(frame.messageId, frame.text);
        return [out('token', { token: frame.text })];
      case 'reply':
        return this.finish(frame.frame.message_id, frame.frame.answer.message, frame.frame.timestamp);
      case 'unavailable':
        return this.finish(frame.messageId, UNAVAILABLE_MESSAGE, new Date().toISOString());
      case 'error': {
        const error: Seed002ServerFrame = frame.messageId === undefined ? { error: frame.text, code: frame.code } : { error: frame.text, code: frame.code, step_id: frame.messageId };
        return [out('error', error)];
      }
      default:
        return []; // accepted, stored, typing, resync: the seed client has no such frames
    }
  }

  private finish(messageId: string, answer: string, createdAt: string): EncodedFrame[] {
    const rest = this.answers.rest(messageId, answer);
    const token = rest === '' ? [] : [out('token', { token: rest })];
    return [...token, out('done', { done: true, step_id: messageId, created_at: createdAt })];
  }
}

const out = (type: string, frame: Seed002ServerFrame): EncodedFrame => ({ type, text: JSON.stringify(frame), droppable: false });
