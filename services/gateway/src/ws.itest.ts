import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { BrokerAdmin } from '@chatbot/testkit';
import { connect, committed, eventually, metric, startWorld, StreamLog, TestSocket, type GatewayWorld, type InboundLog } from '../test/harness';

let world: GatewayWorld;
let inbound: InboundLog;

beforeAll(async () => {
  world = await startWorld({ GATEWAY_ID: 'gw-ws-test', MAX_MESSAGE_CHARS: '20', WS_MAX_PAYLOAD_BYTES: '4096' });
  inbound = await StreamLog.start(world.bus, 'chatInbound');
});
afterAll(() => world?.stop());

const isBot = (frame: Record<string, unknown>) => frame.sender === 'bot' || frame.type === 'reply';

describe('handshake', () => {
  test('a seed client gets a new session id as its first frame, with or without the trailing slash', async () => {
    for (const path of ['', '/']) {
      const socket = await TestSocket.open(world.ws + path);
      const [first] = await socket.waitFor(() => true);
      expect(Object.keys(first)).toEqual(['session_id']);
      expect(first.session_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(socket.ws.protocol).toBe('');
      await socket.close();
    }
  });

  test('a client asking for chat.v2 gets it echoed and a v2 session frame', async () => {
    const socket = await TestSocket.open(world.ws, ['chat.v2']);
    expect(socket.ws.protocol).toBe('chat.v2');
    const [first] = await socket.waitFor(() => true);
    expect(first).toEqual({ type: 'session', session_id: expect.any(String), protocol: 2, resumed: false, seq: 0 });
    await socket.close();
  });

  test('?protocol=2 selects v2 without a subprotocol', async () => {
    const socket = await TestSocket.open(`${world.ws}?protocol=2`);
    const [first] = await socket.waitFor(() => true);
    expect(first).toMatchObject({ type: 'session', protocol: 2, resumed: false, seq: 0 });
    await socket.close();
  });

  test('the session frame comes first even when the client sends at once', async () => {
    for (const protocols of [undefined, 'chat.v2']) {
      const socket = await TestSocket.open(world.ws, protocols);
      socket.send('not json');
      const [first, second] = await socket.waitFor(() => true, 2);
      expect(first.session_id).toEqual(expect.any(String));
      expect(second.error).toBe('Invalid JSON format');
      await socket.close();
    }
  });

  test('an upgrade on another path is refused', async () => {
    const refused = new Promise<number>((resolve) => {
      const ws = new WebSocket(world.ws.replace('/api/chat/ws', '/api/chat/other'));
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(await refused).toBe(404);
  });
});

describe('client frames', () => {
  const malformed: Array<[string, string | Buffer, Record<string, unknown>, Record<string, unknown>]> = [
    ['unparsable JSON', '{"message_id":', { error: 'Invalid JSON format' }, { code: 'E4001' }],
    ['a JSON array', '[1,2,3]', { error: 'Invalid JSON format' }, { code: 'E4001' }],
    ['a missing message', JSON.stringify({ message_id: 'm-1' }), { error: 'message: is required' }, { code: 'E4002', message_id: 'm-1' }],
    ['an empty message', JSON.stringify({ message_id: 'm-2', message: '  ' }), { error: 'message: must not be empty' }, { code: 'E4002', message_id: 'm-2' }],
    ['a wrong-typed message', JSON.stringify({ message_id: 'm-3', message: 7 }), { error: 'message: must be a string' }, { code: 'E4002', message_id: 'm-3' }],
    ['a missing message id', JSON.stringify({ message: 'hi' }), { error: 'message_id: is required' }, { code: 'E4002' }],
    ['an unknown frame type', JSON.stringify({ type: 'subscribe' }), { error: 'type: unsupported frame type' }, { code: 'E4009' }],
    ['a message over MAX_MESSAGE_CHARS', JSON.stringify({ message_id: 'm-4', message: '가'.repeat(21) }), { error: 'message: must be at most 20 characters' }, { code: 'E4003', message_id: 'm-4' }],
    ['a binary frame', Buffer.from('{"message_id":"m-5","message":"hi"}'), { error: expect.stringMatching(/^Binary frames/) }, { code: 'E4009' }],
  ];

  test.each(malformed)('%s gets an error frame, the socket stays open and nothing is published', async (_kind, frame, v1Error, v2Error) => {
    for (const protocols of [undefined, 'chat.v2']) {
      const { socket, sessionId } = await connect(world.ws, protocols);
      socket.ws.send(frame);
      const [error] = await socket.waitFor((f) => f.error !== undefined);
      expect(error).toEqual(protocols ? { type: 'error', error: v1Error.error, seq: 0, ...v2Error } : v1Error);
      // The socket still works: the next valid message is the only one the session ever published.
      socket.send({ message_id: `ok-${randomUUID()}`, message: 'hello' });
      await eventually(() => expect(inbound.of(sessionId)).toHaveLength(1));
      expect(inbound.of(sessionId)[0].text).toBe('hello');
      expect(socket.closed).toBeNull();
      await socket.close();
    }
  });

  test('a frame larger than WS_MAX_PAYLOAD_BYTES closes the socket with 1009', async () => {
    const { socket } = await connect(world.ws);
    socket.send({ message_id: 'big', message: 'x'.repeat(5000) });
    await eventually(() => expect(socket.closed?.code).toBe(1009));
  });

  test('a valid message is published once with the session, trimmed text and gateway, and v2 gets accepted', async () => {
    const { socket, sessionId } = await connect(world.ws, 'chat.v2');
    const frame = { message_id: '1732188806090-9f3a2b', message: '  카드 추천해줘 ', sender: 'user', timestamp: '2026-11-21T11:33:26.090Z' };
    socket.send(frame);
    socket.send(frame); // a resend: the broker drops it by its message id
    expect(await socket.waitFor((f) => f.type === 'accepted', 2)).toEqual([
      { type: 'accepted', message_id: frame.message_id, seq: 0 },
      { type: 'accepted', message_id: frame.message_id, seq: 0 },
    ]);
    socket.send({ message_id: 'after', message: 'next' });
    await eventually(() => expect(inbound.of(sessionId)).toHaveLength(2));
    const [published] = inbound.of(sessionId);
    expect(published).toEqual({
      session_id: sessionId,
      message_id: frame.message_id,
      text: '카드 추천해줘',
      client_timestamp: frame.timestamp,
      received_at: expect.any(String),
      gateway_id: 'gw-ws-test',
      protocol: 2,
    });
    const delivery = inbound.deliveries.find((d) => d.token === sessionId)!;
    const admin = await BrokerAdmin.open(world.env);
    const stored = await admin.stored('CHAT_INBOUND', delivery.streamSeq).finally(() => admin.close());
    expect(stored?.header('Nats-Msg-Id')).toBe(`${sessionId}:${frame.message_id}`);
    expect(delivery.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    await socket.close();
  });
});

describe('deliveries', () => {
  test('a committed frame reaches only the socket of its session, as the exact seed bot frame', async () => {
    const a = await connect(world.ws);
    const b = await connect(world.ws);
    const frame = committed(1, 'p-1', '[카드관리]\n\n답변', {
      answer: { message: '[카드관리]\n\n답변', login_required: false, card_list: ['카드의정석2'], related_questions: ['카드 정지?'], tool_name: 'query_faq_database' },
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
    await world.bus.publish('sessionDelivery', a.sessionId, { type: 'frame', frame });
    await world.bus.publish('sessionDelivery', b.sessionId, { type: 'frame', frame: committed(1, 'p-b') });
    const [bot] = await a.socket.waitFor(isBot);
    expect(bot).toEqual({
      sender: 'bot',
      timestamp: frame.timestamp,
      message_id: 'p-1',
      login_required: false,
      message: '[카드관리]\n\n답변',
      card_list: ['카드의정석2'],
      related_questions: ['카드 정지?'],
      tool_name: 'query_faq_database',
    });
    await b.socket.waitFor(isBot);
    expect(b.socket.frames.filter(isBot as never)).toEqual([expect.objectContaining({ message_id: 'p-b' })]);
    await Promise.all([a.socket.close(), b.socket.close()]);
  });

  test('a frame whose seq was already delivered is dropped', async () => {
    const { socket, sessionId } = await connect(world.ws);
    for (const seq of [1, 2, 1, 2, 3]) {
      await world.bus.publish('sessionDelivery', sessionId, { type: 'frame', frame: committed(seq, `p-${seq}`) });
    }
    await socket.waitFor((f) => f.message_id === 'p-3');
    expect(socket.frames.filter(isBot as never).map((f) => (f as { message_id: string }).message_id)).toEqual(['p-1', 'p-2', 'p-3']);
    await socket.close();
  });

  test('v2 relays stored, typing, deltas and the reply with usage, each with the last reply seq', async () => {
    const { socket, sessionId } = await connect(world.ws, 'chat.v2');
    const deliver = (payload: Parameters<typeof world.bus.publish<'sessionDelivery'>>[2]) => world.bus.publish('sessionDelivery', sessionId, payload);
    await deliver({ type: 'frame', frame: committed(1, null, 'welcome') });
    await deliver({ type: 'stored', message_id: 'm1' });
    await deliver({ type: 'typing', message_id: 'm1' });
    await deliver({ type: 'delta', message_id: 'm1', index: 0, text: '안' });
    await deliver({ type: 'frame', frame: committed(2, 'm1', '안녕', { usage: { prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 } }) });
    await socket.waitFor((f) => f.type === 'reply', 2);
    expect(socket.frames.slice(1)).toEqual([
      expect.objectContaining({ type: 'reply', message: 'welcome', seq: 1 }),
      { type: 'stored', message_id: 'm1', seq: 1 },
      { type: 'typing', message_id: 'm1', seq: 1 },
      { type: 'delta', message_id: 'm1', index: 0, text: '안', seq: 1 },
      {
        type: 'reply', sender: 'bot', timestamp: expect.any(String), message_id: 'm1', login_required: false,
        message: '안녕', usage: { prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 }, seq: 2,
      },
    ]);
    await socket.close();
  });

  test('v1 sees only bot frames: no stored, typing or delta frames', async () => {
    const { socket, sessionId } = await connect(world.ws);
    await world.bus.publish('sessionDelivery', sessionId, { type: 'stored', message_id: 'm1' });
    await world.bus.publish('sessionDelivery', sessionId, { type: 'typing', message_id: 'm1' });
    await world.bus.publish('sessionDelivery', sessionId, { type: 'delta', message_id: 'm1', index: 0, text: 'x' });
    await world.bus.publish('sessionDelivery', sessionId, { type: 'frame', frame: committed(1, 'm1') });
    await socket.waitFor(isBot);
    expect(socket.frames).toHaveLength(2);
    await socket.close();
  });

  test('a rejected message gets an E4008 error frame', async () => {
    const { socket, sessionId } = await connect(world.ws, 'chat.v2');
    await world.bus.publish('sessionDelivery', sessionId, { type: 'rejected', message_id: 'm1', code: 'E4008' });
    const [error] = await socket.waitFor((f) => f.type === 'error');
    expect(error).toEqual({ type: 'error', error: expect.any(String), code: 'E4008', message_id: 'm1', seq: 0 });
    await socket.close();
  });
});

describe('session lifetime', () => {
  test('presence is answered by this gateway only while the socket is open', async () => {
    const { socket, sessionId } = await connect(world.ws);
    await expect(world.bus.request('presence', {}, { token: sessionId, timeoutMs: 2000 })).resolves.toEqual({ gateway_id: 'gw-ws-test' });
    await socket.close();
    await eventually(() => expect(world.bus.request('presence', {}, { token: sessionId, timeoutMs: 500 })).rejects.toMatchObject({ code: 'E5002' }));
  });

  test('closed sockets leave no session, gauge or NATS subscription behind', async () => {
    await eventually(async () => expect(await metric(world.http, 'chatbot_gateway_sessions')).toBe(0));
    const opened = await Promise.all(Array.from({ length: 5 }, (_, i) => connect(world.ws, i % 2 ? 'chat.v2' : undefined)));
    expect(await metric(world.http, 'chatbot_gateway_sessions')).toBe(5);
    expect(await metric(world.http, 'chatbot_gateway_ws_connections')).toBe(5);
    expect(await metric(world.http, 'chatbot_gateway_session_subscriptions')).toBe(5);
    await Promise.all(opened.map(({ socket }) => socket.close()));
    await eventually(async () => {
      expect(await metric(world.http, 'chatbot_gateway_sessions')).toBe(0);
      expect(await metric(world.http, 'chatbot_gateway_ws_connections')).toBe(0);
      expect(await metric(world.http, 'chatbot_gateway_session_subscriptions')).toBe(0);
    });
    // The server itself knows no interest left in those sessions' subjects.
    const admin = await BrokerAdmin.open(world.env);
    for (const { sessionId } of opened) {
      expect(await admin.hasSubscriber(`gw.deliver.v1.${sessionId}`)).toBe(false);
      await expect(world.bus.request('presence', {}, { token: sessionId, timeoutMs: 1000 })).rejects.toMatchObject({ code: 'E5002' });
    }
    await admin.close();
  });

  test('metrics count frames in and out by type', async () => {
    const { socket } = await connect(world.ws, 'chat.v2');
    socket.send('nope');
    await socket.waitFor((f) => f.type === 'error');
    await socket.close();
    expect(await metric(world.http, 'chatbot_gateway_frames_in_total', 'type="invalid"')).toBeGreaterThan(0);
    expect(await metric(world.http, 'chatbot_gateway_frames_out_total', 'type="session",protocol="2"')).toBeGreaterThan(0);
    expect(await metric(world.http, 'chatbot_gateway_error_frames_total', 'code="E4001"')).toBeGreaterThan(0);
  });
});
