import { randomUUID } from 'node:crypto';
import type { AgentHistoryItem, AgentHistoryPage, ChatReplyV1 } from '@chatbot/proto';
import { createAdmin, signUp, startAuthWorld, type AuthWorld } from '../../test/auth.harness';
import { answer, sendStored, TestSocket } from '../../test/harness';
import { formBody, pngOf, postStream } from '../../test/multipart.client';

/**
 * `GET /api/admin/chats/{id}/messages` from outside: a real gateway, persona and chat-log, real
 * NATS (with the attachments' object store) and Postgres. Accounts are registered and given their
 * role by an admin, as in production.
 */
let world: AuthWorld;
let admin: string;
let agent: string;
let customer: { id: string; access: string };

beforeAll(async () => {
  world = await startAuthWorld({}, {}, ['chat-log']);
  await createAdmin(world, 'chief@example.com', 'chief-password-1');
  admin = (await world.call('POST', '/api/auth/login', { body: { email: 'chief@example.com', password: 'chief-password-1' } })).body.access_token;
  const helper = await signUp(world, 'agent@example.com');
  expect((await world.call('PUT', `/api/admin/accounts/${helper.id}/role`, { token: admin, body: { role: 'agent' } })).status).toBe(200);
  agent = (await world.call('POST', '/api/auth/login', { body: { email: 'agent@example.com', password: helper.password } })).body.access_token;
  customer = await signUp(world, 'customer@example.com');
}, 120_000);
afterAll(() => world?.stop());

const history = (token: string, sessionId: string, query = '') => world.call('GET', `/api/admin/chats/${sessionId}/messages${query}`, { token });

/** A signed-in customer's conversation on a v2 socket, the socket left open. */
async function customerSocket(sessionId: string): Promise<TestSocket> {
  return TestSocket.open(`${world.ws}?protocol=2&session_id=${sessionId}&last_seq=0&token=${customer.access}`);
}

/** Sends a message, has it answered (optionally with tool metadata) and waits for the reply frame. */
async function exchange(socket: TestSocket, sessionId: string, text: string, fields: Partial<ChatReplyV1['answer']> = {}): Promise<string> {
  const messageId = randomUUID();
  await sendStored(socket, messageId, text);
  if (Object.keys(fields).length === 0) await answer(world.bus, sessionId, messageId, `answer to ${text}`);
  else {
    const reply: ChatReplyV1 = {
      reply_id: `itest:${messageId}`, session_id: sessionId, kind: 'answer', prompt_message_id: messageId,
      answer: { message: `answer to ${text}`, login_required: false, ...fields }, source: 'llm-dispatch', produced_at: new Date().toISOString(),
    };
    await world.bus.publish('chatReply', sessionId, reply, { msgId: reply.reply_id });
  }
  await socket.waitFor((f) => f.type === 'reply' && f.message_id === messageId);
  return messageId;
}

const shape = (items: AgentHistoryItem[]) => items.map((m) => `${m.role}:${m.content}`);

test('pages every entry newest page first by cursor, with tool metadata and the attachments of user messages; later messages shift no page', async () => {
  const sessionId = randomUUID();
  const png = await postStream(`${world.http}/api/chats/upload`, formBody(sessionId, { name: '영수증.png', type: 'image/png', data: pngOf(2048) }), { token: customer.access });
  expect(png.status).toBe(201);
  const socket = await customerSocket(sessionId);
  const firstId = randomUUID();
  socket.send({ message_id: firstId, message: 'q1 with a receipt', attachment_ids: [png.body.attachment_id] });
  await socket.waitFor((f) => f.type === 'stored' && f.message_id === firstId);
  const reply: ChatReplyV1 = {
    reply_id: `itest:${firstId}`, session_id: sessionId, kind: 'answer', prompt_message_id: firstId, source: 'llm-dispatch', produced_at: new Date().toISOString(),
    answer: { message: 'answer to q1', login_required: false, card_list: ['Card A'], related_questions: ['How do I apply?'], tool_name: 'get_card_description' },
  };
  await world.bus.publish('chatReply', sessionId, reply, { msgId: reply.reply_id });
  await socket.waitFor((f) => f.type === 'reply' && f.message_id === firstId);
  for (const text of ['q2', 'q3', 'q4', 'q5']) await exchange(socket, sessionId, text);

  const newest = await history(agent, sessionId, '?limit=4');
  expect(newest.status).toBe(200);
  expect(newest.headers.get('cache-control')).toBe('private, no-store');
  expect(shape(newest.body.messages)).toEqual(['user:q4', 'assistant:answer to q4', 'user:q5', 'assistant:answer to q5']);
  expect(newest.body.next_cursor).toEqual(expect.any(String));

  // a message that arrives while the agent reads goes to the newest page, not into the older ones
  await exchange(socket, sessionId, 'q6');
  const middle = await history(agent, sessionId, `?limit=4&cursor=${newest.body.next_cursor}`);
  expect(shape(middle.body.messages)).toEqual(['user:q2', 'assistant:answer to q2', 'user:q3', 'assistant:answer to q3']);
  const first: { status: number; body: AgentHistoryPage } = await history(agent, sessionId, `?limit=4&cursor=${middle.body.next_cursor}`);
  expect(first.body.next_cursor).toBeNull();
  const [asked, answered] = first.body.messages;
  expect(first.body.messages).toHaveLength(2);
  expect(asked).toEqual({
    message_id: firstId, role: 'user', content: 'q1 with a receipt', created_at: expect.any(String),
    attachments: [{ attachment_id: png.body.attachment_id, name: '영수증.png', size: 2048, content_type: 'image/png' }],
  });
  expect(answered).toMatchObject({ message_id: firstId, role: 'assistant', content: 'answer to q1', card_list: ['Card A'], related_questions: ['How do I apply?'], tool_name: 'get_card_description', feedback: null });
  expect(answered).not.toHaveProperty('attachments');

  // the whole conversation in one page, as an admin: what the pages held, and q6 after them
  const whole = await history(admin, sessionId, '?limit=100');
  expect(shape(whole.body.messages)).toEqual([...shape(first.body.messages), ...shape(middle.body.messages), ...shape(newest.body.messages), 'user:q6', 'assistant:answer to q6']);
  await socket.close();
});

test('an agent\'s own messages are entries of role agent, after the customer\'s earlier ones', async () => {
  const sessionId = randomUUID();
  const socket = await customerSocket(sessionId);
  await exchange(socket, sessionId, 'before the agent');
  expect((await world.call('POST', `/api/admin/chats/${sessionId}/takeover`, { token: agent, body: {} })).status).toBe(200);
  expect((await world.call('POST', `/api/admin/chats/${sessionId}/messages`, { token: agent, body: { message: 'Hello, I am here.' } })).status).toBe(201);
  await socket.waitFor((f) => f.type === 'agent');
  const page = await history(agent, sessionId);
  const messages: AgentHistoryItem[] = page.body.messages;
  expect(messages.slice(0, 2).map((m) => m.role)).toEqual(['user', 'assistant']);
  expect(messages[messages.length - 1]).toMatchObject({ role: 'agent', content: 'Hello, I am here.' });
  await socket.close();
});

test('only agents and admins: 401 without a token, 403 for customers (their own conversation too), 404 for an unknown, malformed or erased one, 400 for a bad page', async () => {
  const sessionId = randomUUID();
  const socket = await customerSocket(sessionId);
  await exchange(socket, sessionId, 'mine');
  await socket.close();
  const stranger = await signUp(world, 'stranger@example.com');

  expect((await world.call('GET', `/api/admin/chats/${sessionId}/messages`)).status).toBe(401);
  expect(await history(customer.access, sessionId)).toMatchObject({ status: 403, body: { code: 'E4013' } });
  expect(await history(stranger.access, sessionId)).toMatchObject({ status: 403, body: { code: 'E4013' } });
  expect(await history(agent, randomUUID())).toMatchObject({ status: 404, body: { code: 'E4005' } });
  expect(await history(agent, 'not-a-session')).toMatchObject({ status: 404, body: { code: 'E4005' } });
  expect(await history(agent, sessionId, '?limit=0')).toMatchObject({ status: 400, body: { code: 'E4001' } });
  expect(await history(agent, sessionId, '?cursor=bm90LWEtY3Vyc29y')).toMatchObject({ status: 400, body: { code: 'E4001' } });
  expect((await history(agent, sessionId)).status).toBe(200);

  // the owner erases it: nothing of it is left for anyone to read
  expect((await world.call('DELETE', `/api/chat/sessions/${sessionId}`, { token: customer.access })).status).toBe(200);
  expect(await history(agent, sessionId)).toMatchObject({ status: 404, body: { code: 'E4005' } });
  expect(await history(admin, sessionId)).toMatchObject({ status: 404, body: { code: 'E4005' } });
});
