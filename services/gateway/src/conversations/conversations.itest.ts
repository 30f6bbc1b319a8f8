import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { consumers, type ChatReplyV1 } from '@chatbot/proto';
import { eventually } from '@chatbot/testkit';
import { createAdmin, forgeToken, signUp, startAuthWorld, type AuthWorld } from '../../test/auth.harness';

/**
 * Conversations from outside: real gateway, persona and chat-log, two users and an attacker with
 * a valid account of her own. Messages and replies enter as the signed-in socket and the answering
 * services would put them on the bus.
 */
let world: AuthWorld;
let pg: Client;
let alice: { id: string; access: string };
let mallory: { id: string; access: string };

beforeAll(async () => {
  world = await startAuthWorld({}, {}, ['chat-log']);
  pg = new Client({ connectionString: world.env.databaseUrl });
  await pg.connect();
  alice = await signUp(world, 'alice@example.com');
  mallory = await signUp(world, 'mallory@example.com');
});
afterAll(async () => {
  await pg?.end();
  await world?.stop();
});

const as = (user: { access: string }) => ({
  get: (path: string) => world.call('GET', path, { token: user.access }),
  delete: (path: string) => world.call('DELETE', path, { token: user.access }),
  post: (path: string, body?: unknown) => world.call('POST', path, { token: user.access, body }),
  put: (path: string, body: unknown) => world.call('PUT', path, { token: user.access, body }),
});

/** A message from the user's signed-in socket, stored by chat-log; and the reply a service gives it. */
async function say(userId: string, sessionId: string, text: string, answer?: Partial<ChatReplyV1['answer']>): Promise<string> {
  const messageId = `m-${randomUUID().slice(0, 8)}`;
  await world.bus.publish('chatInbound', sessionId, {
    session_id: sessionId, message_id: messageId, text, received_at: new Date().toISOString(), gateway_id: 'gw-itest', protocol: 2, user_id: userId,
  });
  await eventually(async () => expect(await count('messages', sessionId, 'message_id = $2', messageId)).toBe(1));
  if (!answer) return messageId;
  await world.bus.publish('chatReply', sessionId, {
    reply_id: randomUUID(), session_id: sessionId, kind: 'answer', prompt_message_id: messageId,
    answer: { message: `answer to ${text}`, login_required: false, ...answer }, source: 'llm-dispatch', produced_at: new Date().toISOString(),
  });
  await eventually(async () => expect(await count('replies', sessionId, 'prompt_message_id = $2 AND seq IS NOT NULL', messageId)).toBe(1));
  return messageId;
}

/** chat-log has taken and acknowledged every message and reply published so far. */
async function chatLogSettled(): Promise<void> {
  await eventually(async () => {
    for (const spec of [consumers.chatLogInbound, consumers.chatLogReplies]) {
      expect(await world.bus.consumerBacklog(spec)).toMatchObject({ pending: 0, ackPending: 0 });
    }
  });
}

async function count(table: string, sessionId: string, where = 'true', ...values: unknown[]): Promise<number> {
  const { rows } = await pg.query(`SELECT count(*)::int AS n FROM chat_log.${table} WHERE session_id = $1::uuid AND ${where}`, [sessionId, ...values]);
  return rows[0].n as number;
}

test('a user creates, reads, renames and lists conversations, newest first, paged with the total', async () => {
  const bob = await signUp(world, 'bob@example.com');
  const created = await as(bob).post('/api/chat/sessions', { title: 'Card fees' });
  expect(created).toMatchObject({ status: 201, body: { title: 'Card fees', session_id: expect.any(String), created_at: expect.any(String) } });
  expect(created.headers.get('location')).toBe(`/api/chat/sessions/${created.body.session_id}`);
  expect(created.headers.get('cache-control')).toBe('private, no-store');
  const untitled = await as(bob).post('/api/chat/sessions'); // no body at all
  expect(untitled).toMatchObject({ status: 201, body: { title: null } });
  await say(bob.id, untitled.body.session_id, '  연회비가 얼마인가요?\n');
  const third = await as(bob).post('/api/chat/session', {}); // seed 001's spelling

  const page = await as(bob).get('/api/chat/sessions?limit=2&offset=0');
  expect(page).toMatchObject({ status: 200, body: { total_sessions: 3 } });
  expect(page.body.sessions.map((s: { session_id: string }) => s.session_id)).toEqual([third.body.session_id, untitled.body.session_id]);
  expect(page.body.sessions[1].title).toBe('연회비가 얼마인가요?');
  const rest = await as(bob).get('/api/chat/sessions?limit=2&offset=2');
  expect(rest.body).toEqual({ sessions: [created.body], total_sessions: 3 });

  const renamed = await as(bob).put(`/api/chat/sessions/${created.body.session_id}/title`, { title: 'Annual fees' });
  expect(renamed).toMatchObject({ status: 200, body: { session_id: created.body.session_id, title: 'Annual fees' } });
  expect(Date.parse(renamed.body.updated_at)).toBeGreaterThan(Date.parse(created.body.updated_at));
  expect((await as(bob).get(`/api/chat/sessions/${created.body.session_id}`)).body).toEqual(renamed.body);
  expect((await as(bob).get('/api/chat/sessions?limit=1')).body.sessions[0].session_id).toBe(created.body.session_id);
});

test('every conversation endpoint answers 404 for another user\'s session, exactly as for an unknown one', async () => {
  const { body: secret } = await as(alice).post('/api/chat/sessions', { title: 'my secret' });
  await say(alice.id, secret.session_id, 'private question', { card_list: ['카드의정석2'] });
  const unknown = randomUUID();
  for (const id of [secret.session_id, unknown]) {
    const attempts = [
      await as(mallory).get(`/api/chat/sessions/${id}`),
      await as(mallory).put(`/api/chat/sessions/${id}/title`, { title: 'pwned' }),
      await as(mallory).get(`/api/chat/history?session_id=${id}`),
      await as(mallory).delete(`/api/chat/sessions/${id}`),
    ];
    attempts.push(await as(mallory).get(`/api/chat/session/${id}`), await as(mallory).delete(`/api/chat/session/${id}`)); // seed 001's spelling
    for (const attempt of attempts) expect({ status: attempt.status, body: attempt.body }).toEqual({ status: 404, body: { error: 'Session not found', code: 'E4005' } });
  }
  expect((await as(mallory).get('/api/chat/sessions')).body).toEqual({ sessions: [], total_sessions: 0 });
  expect((await as(alice).get(`/api/chat/sessions/${secret.session_id}`)).body).toMatchObject({ title: 'my secret' });
  expect(await count('messages', secret.session_id)).toBe(1);
  expect(await count('replies', secret.session_id)).toBe(1);
});

test('no token, a forged token, or an API key without the chat scope gets nothing', async () => {
  const { body: secret } = await as(alice).post('/api/chat/sessions', { title: 'still mine' });
  expect((await world.call('GET', '/api/chat/sessions')).status).toBe(401);
  expect((await world.call('GET', `/api/chat/history?session_id=${secret.session_id}`)).status).toBe(401);
  const forged = await forgeToken({ sub: alice.id, secret: 'not-the-gateway-secret-0123456789abcdef' });
  expect((await world.call('GET', `/api/chat/sessions/${secret.session_id}`, { token: forged })).status).toBe(401);
  const wrongAlgorithm = await forgeToken({ sub: alice.id, alg: 'HS512' });
  expect((await world.call('GET', `/api/chat/sessions/${secret.session_id}`, { token: wrongAlgorithm })).status).toBe(401);

  await createAdmin(world, 'keys@example.com', 'keys-password-1');
  const admin = (await world.call('POST', '/api/auth/login', { body: { email: 'keys@example.com', password: 'keys-password-1' } })).body.access_token as string;
  const adminOnly = (await world.call('POST', '/api/admin/api-keys', { token: admin, body: { name: 'ops', scopes: ['admin'] } })).body.key as string;
  expect((await world.call('GET', '/api/chat/sessions', { apiKey: adminOnly })).status).toBe(403);
});

test('an API key with the chat scope acts for its account, and only that account', async () => {
  await createAdmin(world, 'bot-owner@example.com', 'bot-owner-password-1');
  const owner = (await world.call('POST', '/api/auth/login', { body: { email: 'bot-owner@example.com', password: 'bot-owner-password-1' } })).body.access_token as string;
  const key = (await world.call('POST', '/api/admin/api-keys', { token: owner, body: { name: 'bot', scopes: ['chat'] } })).body.key as string;
  const created = await world.call('POST', '/api/chat/sessions', { apiKey: key, body: { title: 'from the bot' } });
  expect(created.status).toBe(201);
  expect((await world.call('GET', '/api/chat/sessions', { token: owner })).body.sessions).toEqual([created.body]);
  const { body: alices } = await as(alice).post('/api/chat/sessions', { title: 'not the bot\'s' });
  expect((await world.call('GET', `/api/chat/sessions/${alices.session_id}`, { apiKey: key })).status).toBe(404);
  expect((await world.call('DELETE', `/api/chat/sessions/${alices.session_id}`, { apiKey: key })).status).toBe(404);
});

test('bodies, queries and ids are validated by their contracts: unknown fields refused with 422', async () => {
  const { body: mine } = await as(alice).post('/api/chat/sessions', {});
  const refused = [
    await as(alice).post('/api/chat/sessions', { title: 'x', owner_id: mallory.id }),
    await as(alice).post('/api/chat/sessions', { title: '   ' }),
    await as(alice).put(`/api/chat/sessions/${mine.session_id}/title`, {}),
    await as(alice).put(`/api/chat/sessions/${mine.session_id}/title`, { title: 'a'.repeat(201) }),
    await as(alice).get('/api/chat/sessions?limit=0'),
    await as(alice).get('/api/chat/sessions?limit=1000'),
    await as(alice).get('/api/chat/sessions?user_id=someone'),
    await as(alice).get('/api/chat/history'),
    await as(alice).get(`/api/chat/history?session_id=${mine.session_id}&offset=-1`),
    await as(alice).get('/api/chat/sessions/not-a-uuid'),
  ];
  for (const answer of refused) expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 422, code: 'E4002' });
  expect(refused[0].body.detail).toEqual([expect.objectContaining({ code: 'unrecognized_keys' })]);
});

test('history pages back from the newest entry and carries the tool metadata and feedback of bot replies', async () => {
  const { body: conversation } = await as(alice).post('/api/chat/sessions', {});
  const session = conversation.session_id as string;
  const first = await say(alice.id, session, '카드의정석2 연회비?', {
    card_list: ['카드의정석2'], related_questions: ['해외 결제 수수료는?'], tool_name: 'get_card_description',
  });
  // an account's conversation takes feedback from that account only: anonymous callers and other
  // accounts are told the message does not exist
  const feedback = { message_id: first, is_helpful: true };
  expect((await world.call('POST', '/api/chat/feedback', { body: feedback })).body.code).toBe('E4007');
  expect((await as(mallory).post('/api/chat/feedback', feedback)).body.code).toBe('E4007');
  expect((await as(alice).post('/api/chat/feedback', feedback)).status).toBe(200);
  const second = await say(alice.id, session, '로그인 해야 하나요?', { login_required: true });
  const third = await say(alice.id, session, '아직 답이 없는 질문');

  const latest = await as(alice).get(`/api/chat/history?session_id=${session}&limit=2`);
  expect(latest.body).toMatchObject({ total_messages: 5, has_more: true });
  expect(latest.body.messages.map((m: { role: string; message_id: string }) => [m.role, m.message_id])).toEqual([['assistant', second], ['user', third]]);
  expect(latest.body.messages[0]).toMatchObject({ login_required: true, feedback: null });

  const older = await as(alice).get(`/api/chat/history?session_id=${session}&limit=3&offset=2`);
  expect(older.body).toMatchObject({ total_messages: 5, has_more: false });
  expect(older.body.messages).toEqual([
    { message_id: first, role: 'user', content: '카드의정석2 연회비?', created_at: expect.any(String) },
    {
      message_id: first, role: 'assistant', content: 'answer to 카드의정석2 연회비?', created_at: expect.any(String),
      login_required: false, card_list: ['카드의정석2'], related_questions: ['해외 결제 수수료는?'], tool_name: 'get_card_description', feedback: true,
    },
    { message_id: second, role: 'user', content: '로그인 해야 하나요?', created_at: expect.any(String) },
  ]);
  expect((await as(alice).get(`/api/chat/history?session_id=${session}&offset=10`)).body).toEqual({ messages: [], total_messages: 5, has_more: false });
});

test('delete erases the conversation from the database, and a message still in flight does not bring it back', async () => {
  const { body: conversation } = await as(alice).post('/api/chat/sessions', { title: 'to be forgotten' });
  const session = conversation.session_id as string;
  const answered = await say(alice.id, session, 'my card number is in here', { card_list: ['카드의정석2'] });
  expect((await as(alice).post('/api/chat/feedback', { message_id: answered, is_helpful: false })).status).toBe(200);
  await say(alice.id, session, 'still waiting for this one');
  expect([await count('messages', session), await count('replies', session), await count('waiting_sessions', session)]).toEqual([2, 1, 1]);

  const deleted = await as(alice).delete(`/api/chat/sessions/${session}`);
  expect(deleted).toMatchObject({ status: 200, body: { session_id: session, deleted: true } });
  const { rows } = await pg.query(
    `SELECT (SELECT count(*) FROM chat_log.messages WHERE session_id = $1::uuid)::int AS messages,
            (SELECT count(*) FROM chat_log.messages WHERE text LIKE 'my card number%')::int AS text_anywhere,
            (SELECT count(*) FROM chat_log.replies WHERE session_id = $1::uuid OR prompt_message_id = $2 OR frame_message_id = $2)::int AS replies,
            (SELECT count(*) FROM chat_log.outbox WHERE session_id = $1::uuid)::int AS outbox,
            (SELECT count(*) FROM chat_log.waiting_sessions WHERE session_id = $1::uuid)::int AS waiting,
            (SELECT title FROM chat_log.sessions WHERE id = $1::uuid) AS title`,
    [session, answered],
  );
  expect(rows[0]).toEqual({ messages: 0, text_anywhere: 0, replies: 0, outbox: 0, waiting: 0, title: null });

  expect((await as(alice).get(`/api/chat/sessions/${session}`)).status).toBe(404);
  expect((await as(alice).get(`/api/chat/history?session_id=${session}`)).status).toBe(404);
  expect((await as(alice).delete(`/api/chat/sessions/${session}`)).status).toBe(404);
  expect((await as(alice).get('/api/chat/sessions?limit=100')).body.sessions.map((s: { session_id: string }) => s.session_id)).not.toContain(session);

  // A message the socket sent just before the delete reaches chat-log after it: refused, not stored.
  await world.bus.publish('chatInbound', session, {
    session_id: session, message_id: `late-${randomUUID().slice(0, 8)}`, text: 'late', received_at: new Date().toISOString(),
    gateway_id: 'gw-itest', protocol: 2, user_id: alice.id,
  });
  await world.bus.publish('chatReply', session, {
    reply_id: randomUUID(), session_id: session, kind: 'push', prompt_message_id: null,
    answer: { message: 'a push', login_required: false }, source: 'persona', produced_at: new Date().toISOString(),
  });
  await chatLogSettled();
  expect([await count('messages', session), await count('replies', session)]).toEqual([0, 0]);
  expect(await world.bus.request('sessionAccess', { session_id: session, user_id: alice.id })).toEqual({ access: 'other' });
});
