import type { CommittedFrame } from '@chatbot/proto';
import type { ServerFrame } from './frame.codec';
import { Seed001Codec } from './seed001.codec';
import { Seed002Codec } from './seed002.codec';
import { readSeedHandshake, AT_HEAD } from './ws.handshake';

const SID = '82838488-5c03-4e2e-919a-34c2b1e7baf8';
const OTHER = '0b0d6c59-33c5-4a8c-8c3b-1a6a7e2b8f10';
let ids = 0;
const context = () => ({ sessionId: SID, newId: () => `m${++ids}` });

const reply = (messageId: string, message: string): ServerFrame => {
  const frame: CommittedFrame = { seq: 1, message_id: messageId, prompt_message_id: messageId, answer: { message, login_required: false }, timestamp: '2026-12-07T18:00:00.000Z' };
  return { type: 'reply', frame, seq: 1 };
};
const texts = (frames: Array<{ text: string }>) => frames.map((f) => JSON.parse(f.text) as unknown);

describe('seed 001', () => {
  test('a message frame becomes a chat message with a new id; the session id must be the socket\'s own', () => {
    const codec = new Seed001Codec(context());
    const decoded = codec.decode(JSON.stringify({ type: 'message', content: ' 연회비가 얼마예요? ', session_id: SID }), 100);
    expect(decoded).toEqual({ ok: true, frame: { type: 'message', message_id: expect.stringMatching(/^m\d+$/), message: '연회비가 얼마예요?' } });
    expect(codec.decode(JSON.stringify({ type: 'message', content: 'hi', session_id: OTHER }), 100)).toMatchObject({ ok: false, code: 'E4002' });
  });

  test('bad frames are refused with the code the other protocols use', () => {
    const codec = new Seed001Codec(context());
    expect(codec.decode('{not json', 100)).toMatchObject({ ok: false, code: 'E4001' });
    expect(codec.decode(JSON.stringify({ type: 'ping' }), 100)).toMatchObject({ ok: false, code: 'E4009' });
    expect(codec.decode(JSON.stringify({ type: 'message', content: '   ' }), 100)).toMatchObject({ ok: false, code: 'E4002', error: 'content: must not be empty' });
    expect(codec.decode(JSON.stringify({ content: 'hi' }), 100)).toMatchObject({ ok: false, code: 'E4002', error: 'type: is required' });
    expect(codec.decode(JSON.stringify({ type: 'message', content: 'x'.repeat(11) }), 10)).toMatchObject({ ok: false, code: 'E4003' });
  });

  test('typing on when taken, the streamed pieces, what the answer adds, typing off; nothing droppable', () => {
    const codec = new Seed001Codec(context());
    const frames = [
      { type: 'session', sessionId: SID, resumed: false, seq: 0 },
      { type: 'accepted', messageId: 'm1', seq: 0 },
      { type: 'typing', messageId: 'm1', seq: 0 },
      { type: 'delta', messageId: 'm1', index: 0, text: 'Hel', seq: 0 },
      { type: 'stored', messageId: 'm1', seq: 0 },
      { type: 'delta', messageId: 'm1', index: 1, text: 'lo', seq: 0 },
      reply('m1', 'Hello!'),
    ] as ServerFrame[];
    const out = frames.flatMap((f) => codec.encode(f));
    expect(out.every((f) => f.droppable === false)).toBe(true);
    expect(texts(out)).toEqual([
      { type: 'typing', is_typing: true },
      { type: 'response_chunk', content: 'Hel', message_id: 'm1' },
      { type: 'response_chunk', content: 'lo', message_id: 'm1' },
      { type: 'response_chunk', content: '!', message_id: 'm1' },
      { type: 'typing', is_typing: false },
    ]);
  });

  test('an answer not streamed (from the cache) comes as one chunk; a late answer keeps typing on, a refusal ends it', () => {
    const codec = new Seed001Codec(context());
    codec.encode({ type: 'accepted', messageId: 'm1', seq: 0 });
    expect(texts(codec.encode(reply('m1', '연회비는 카드마다 달라요.')))).toEqual([
      { type: 'response_chunk', content: '연회비는 카드마다 달라요.', message_id: 'm1' },
      { type: 'typing', is_typing: false },
    ]);
    codec.encode({ type: 'accepted', messageId: 'm2', seq: 1 });
    expect(texts(codec.encode({ type: 'error', code: 'E5001', text: 'late', messageId: 'm2', seq: 1 }))).toEqual([{ type: 'error', error: 'late', code: 'E5001', message_id: 'm2' }]);
    expect(texts(codec.encode({ type: 'error', code: 'E4008', text: 'taken', messageId: 'm2', seq: 1 }))).toEqual([
      { type: 'error', error: 'taken', code: 'E4008', message_id: 'm2' },
      { type: 'typing', is_typing: false },
    ]);
  });

  test('a message handed to a person ends its typing at once; the agent\'s words come later as a chunk of their own', () => {
    const codec = new Seed001Codec(context());
    expect(texts(codec.encode({ type: 'accepted', messageId: 'm1', seq: 0 }))).toEqual([{ type: 'typing', is_typing: true }]);
    expect(texts(codec.encode({ type: 'handed', messageId: 'm1', status: 'agent', seq: 0 }))).toEqual([{ type: 'typing', is_typing: false }]);
    expect(texts(codec.encode({ type: 'handed', messageId: 'm1', status: 'agent', seq: 0 }))).toEqual([]);
    expect(texts(codec.encode(reply('agent:1', '상담원입니다.')))).toEqual([{ type: 'response_chunk', content: '상담원입니다.', message_id: 'agent:1' }]);
  });

  test('pieces that are not the start of the committed answer are followed by the whole of it', () => {
    const codec = new Seed001Codec(context());
    codec.encode({ type: 'delta', messageId: 'm1', index: 0, text: 'partial', seq: 0 });
    expect(texts(codec.encode(reply('m1', 'unavailable')))).toEqual([{ type: 'response_chunk', content: 'unavailable', message_id: 'm1' }]);
  });
});

describe('seed 002', () => {
  test('user_input becomes a chat message; step_type is accepted; a system_prompt is carried, an empty one dropped', () => {
    const codec = new Seed002Codec(context());
    expect(codec.decode(JSON.stringify({ user_input: '요즘 기분이 별로야.', step_type: 'normal', system_prompt: '' }), 100)).toMatchObject({
      ok: true,
      frame: { message: '요즘 기분이 별로야.' },
    });
    const decoded = codec.decode(JSON.stringify({ user_input: '요즘 기분이 별로야.', system_prompt: '' }), 100);
    expect(decoded.ok && 'frame' in decoded && decoded.frame.system_prompt).toBeUndefined();
    // whether the caller may set one is judged later, with every protocol's frames
    expect(codec.decode(JSON.stringify({ user_input: 'hi', system_prompt: '너는 감정 전문 상담사야' }), 100)).toMatchObject({
      ok: true,
      frame: { message: 'hi', system_prompt: '너는 감정 전문 상담사야' },
    });
    expect(codec.decode(JSON.stringify({ user_input: 'hi', system_prompt: 'x'.repeat(4001) }), 100)).toMatchObject({ ok: false, code: 'E4002' });
    expect(codec.decode(JSON.stringify({ user_input: 42 }), 100)).toMatchObject({ ok: false, code: 'E4002', error: 'user_input: must be a string' });
    expect(codec.decode('[]', 100)).toMatchObject({ ok: false, code: 'E4001' });
  });

  test('the session first, then token pieces, the rest of the answer and done', () => {
    const codec = new Seed002Codec(context());
    const out = [
      { type: 'session', sessionId: SID, resumed: false, seq: 0 },
      { type: 'accepted', messageId: 'm1', seq: 0 },
      { type: 'typing', messageId: 'm1', seq: 0 },
      { type: 'delta', messageId: 'm1', index: 0, text: '그랬구나', seq: 0 },
      reply('m1', '그랬구나. 무슨 일이 있었어?'),
    ].flatMap((f) => codec.encode(f as ServerFrame));
    expect(texts(out)).toEqual([
      { session_id: SID },
      { token: '그랬구나' },
      { token: '. 무슨 일이 있었어?' },
      { done: true, step_id: 'm1', created_at: '2026-12-07T18:00:00.000Z' },
    ]);
  });
});

test('a seed client joins the session it names at its head, or starts a new one', () => {
  expect(readSeedHandshake('seed001', new URLSearchParams(`token=t&session_id=${SID}`))).toEqual({ protocol: 2, wire: 'seed001', sessionId: SID, resumeFrom: AT_HEAD });
  const fresh = readSeedHandshake('seed002', new URLSearchParams('user_id=whoever&session_id=nope'));
  expect(fresh).toMatchObject({ protocol: 2, wire: 'seed002', resumeFrom: null });
  expect(fresh.sessionId).not.toBe('nope');
});
