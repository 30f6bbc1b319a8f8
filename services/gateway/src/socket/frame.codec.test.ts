import { BotFrameV1, ReplyFrameV2, ServerFrameV2, UNAVAILABLE_MESSAGE } from '@chatbot/proto';
import { botFrame, decodeClientFrame, encodeError, encodeReply, encodeUnavailable, encodeV2, rateLimitedText } from './frame.codec';

const decode = (value: unknown, max = 4000) => decodeClientFrame(typeof value === 'string' ? value : JSON.stringify(value), max);
const seedFrame = { message_id: '75dc838a-7637-4618-91ec-a0f04f94f2ae', message: '  안녕하세요 ', sender: 'user', timestamp: '2026-11-21T11:33:26.090Z' };

describe('client frames', () => {
  test('accepts the seed client frame and trims the message', () => {
    expect(decode(seedFrame)).toEqual({ ok: true, frame: { ...seedFrame, message: '안녕하세요' } });
  });

  test('accepts the non-secure-context message id and an explicit message type', () => {
    expect(decode({ type: 'message', message_id: '1732188806090-9f3a2b', message: 'hi' }).ok).toBe(true);
  });

  test.each([
    ['not json', 'Invalid JSON format'],
    ['[1,2]', 'Invalid JSON format'],
    ['"text"', 'Invalid JSON format'],
    ['null', 'Invalid JSON format'],
  ])('answers %s with the seed JSON error', (text, error) => {
    expect(decode(text)).toEqual({ ok: false, code: 'E4001', error });
  });

  test.each([
    [{ message: 'hi' }, 'message_id: is required'],
    [{ message_id: 'm1' }, 'message: is required'],
    [{ message_id: 'm1', message: '   ' }, 'message: must not be empty'],
    [{ message_id: 'm1', message: 42 }, 'message: must be a string'],
    [{ message_id: 'm1', message: null }, 'message: must be a string'],
    [{ message_id: '', message: 'hi' }, 'message_id: must not be empty'],
    [{ message_id: 'x'.repeat(65), message: 'hi' }, 'message_id: must be at most 64 characters'],
    [{ message_id: 'a b', message: 'hi' }, 'message_id: may hold letters, digits, - and _ only'],
    [{ message_id: 7, message: 'hi' }, 'message_id: must be a string'],
    [{ message_id: 'm1', message: 'hi', sender: 'x'.repeat(33) }, 'sender: must be at most 32 characters'],
  ])('names the field of %j', (frame, error) => {
    expect(decode(frame)).toMatchObject({ ok: false, code: 'E4002', error });
  });

  test('echoes a valid message id in the error so the client can match it', () => {
    expect(decode({ message_id: 'm1', message: '' })).toMatchObject({ messageId: 'm1' });
    expect(decode({ message_id: 'a b', message: 'x' })).not.toHaveProperty('messageId', 'a b');
  });

  test('takes {"type":"handoff"}: the user asks for a person', () => {
    expect(decodeClientFrame('{"type":"handoff"}', 10)).toEqual({ ok: true, handoff: true });
  });

  test('rejects other frame types as unsupported', () => {
    expect(decode({ type: 'ping' })).toMatchObject({ ok: false, code: 'E4009', error: 'type: unsupported frame type' });
  });

  test('counts the limit in characters, not UTF-16 units', () => {
    expect(decode({ message_id: 'm1', message: '😀'.repeat(10) }, 10).ok).toBe(true);
    expect(decode({ message_id: 'm1', message: '가'.repeat(11) }, 10)).toMatchObject({
      ok: false,
      code: 'E4003',
      error: 'message: must be at most 10 characters',
      messageId: 'm1',
    });
  });
});

describe('server frames', () => {
  const plain = { message_id: 'm1', timestamp: '2026-11-21T00:00:00.000Z', answer: { message: '안녕하세요', login_required: false } };
  const withTools = {
    ...plain,
    answer: { ...plain.answer, card_list: ['카드의정석2'], related_questions: ['카드 정지?'], tool_name: 'query_faq_database' as const },
    usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
  };

  test('the v1 bot frame has exactly the seed keys when no tool answered', () => {
    const frame = JSON.parse(encodeReply(1, plain, 4));
    expect(Object.keys(frame).sort()).toEqual(['login_required', 'message', 'message_id', 'sender', 'timestamp']);
    expect(BotFrameV1.strict().parse(frame)).toEqual(frame);
  });

  test('the v1 bot frame carries the tool fields, and never usage or seq', () => {
    const frame = JSON.parse(encodeReply(1, withTools, 4));
    expect(Object.keys(frame).sort()).toEqual(
      ['card_list', 'login_required', 'message', 'message_id', 'related_questions', 'sender', 'timestamp', 'tool_name'],
    );
    expect(botFrame(withTools)).toEqual(frame);
  });

  test('the v2 reply frame is the bot frame plus type, usage and seq', () => {
    const frame = JSON.parse(encodeReply(2, withTools, 4));
    expect(ReplyFrameV2.strict().parse(frame)).toEqual({ type: 'reply', ...botFrame(withTools), usage: withTools.usage, seq: 4 });
    expect(JSON.parse(encodeReply(2, plain, 1))).not.toHaveProperty('usage');
  });

  test('the unavailable frame answers the message with the catalogue sentence', () => {
    expect(JSON.parse(encodeUnavailable(1, 'm9', 0))).toMatchObject({ sender: 'bot', message_id: 'm9', login_required: false, message: UNAVAILABLE_MESSAGE });
  });

  test('error frames: the seed shape in v1, the catalogue shape in v2', () => {
    expect(JSON.parse(encodeError(1, 'E4002', 'message: is required', 3, 'm1'))).toEqual({ error: 'message: is required' });
    const v2 = JSON.parse(encodeError(2, 'E4002', 'message: is required', 3, 'm1'));
    expect(ServerFrameV2.parse(v2)).toEqual({ type: 'error', error: 'message: is required', code: 'E4002', message_id: 'm1', seq: 3 });
    expect(JSON.parse(encodeError(2, 'E4001', 'Invalid JSON format', 0))).not.toHaveProperty('message_id');
  });

  test('a rate-limit error tells when to retry: in the text for v1, also as retry_after_ms in v2', () => {
    const text = rateLimitedText(250);
    expect(text).toBe('Too many messages, slow down (retry in 250 ms)');
    expect(JSON.parse(encodeError(1, 'E4004', text, 0, 'm1', 250))).toEqual({ error: text });
    const v2 = ServerFrameV2.parse(JSON.parse(encodeError(2, 'E4004', text, 4, 'm1', 250)));
    expect(v2).toEqual({ type: 'error', error: text, code: 'E4004', message_id: 'm1', retry_after_ms: 250, seq: 4 });
  });

  test('every v2 frame matches the proto schema', () => {
    const frames = [
      encodeV2.session('82838488-5c03-4e2e-919a-34c2b1e7baf8', true, 2),
      encodeV2.accepted('m1', 0),
      encodeV2.stored('m1', 0),
      encodeV2.typing('m1', 0),
      encodeV2.delta('m1', 0, '안', 0),
      encodeV2.resync('frames_expired', 5),
    ];
    for (const text of frames) expect(ServerFrameV2.safeParse(JSON.parse(text)).success).toBe(true);
  });

  test('an agent\'s message: v1 the bot envelope with sender agent, v2 a frame of type agent', () => {
    const reply = { message_id: 'agent:1', timestamp: 't', answer: { message: 'hello', login_required: false }, sender: 'agent' as const };
    expect(JSON.parse(encodeReply(1, reply, 3))).toEqual({ sender: 'agent', timestamp: 't', message_id: 'agent:1', login_required: false, message: 'hello' });
    expect(JSON.parse(encodeReply(2, reply, 3))).toEqual({ type: 'agent', message_id: 'agent:1', message: 'hello', timestamp: 't', seq: 3 });
  });

  test('a status change: v2 a frame of type status, v1 its text as a bot frame', () => {
    const reply = { message_id: 'status:1', timestamp: 't', answer: { message: 'waiting', login_required: false }, sender: 'system' as const, status: 'waiting' as const };
    expect(JSON.parse(encodeReply(2, reply, 4))).toEqual({ type: 'status', status: 'waiting', message_id: 'status:1', message: 'waiting', timestamp: 't', seq: 4 });
    expect(JSON.parse(encodeReply(1, reply, 4))).toEqual({ sender: 'bot', timestamp: 't', message_id: 'status:1', login_required: false, message: 'waiting' });
  });
});
