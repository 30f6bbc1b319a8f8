import { randomUUID } from 'node:crypto';
import { whileStreamRefuses } from '@chatbot/testkit';
import { candidatesOf, history, replyFrames, startPersona, waitForReplies, type PersonaHarness } from '../test/harness';
import { loadSeedData, type SeedData } from './seed-data.loader';

let h: PersonaHarness;
let data: SeedData;
beforeAll(async () => {
  data = await loadSeedData();
  h = await startPersona();
});
afterAll(async () => {
  await h?.close();
});

const clusterOf = (personaId: number) => {
  const declared = data.personas.find((p) => p.id === personaId)!.clusterId;
  return data.clusters.find((c) => c.clusterId === declared)!;
};
/** A session whose socket the gateway holds. */
const liveSession = async () => {
  const sessionId = randomUUID();
  return { sessionId, socket: await h.connect(sessionId) };
};
const bindings = async (sessionId: string) =>
  (await h.pg.query('SELECT persona_id FROM persona.session_bindings WHERE session_id = $1', [sessionId])).rows;
const login = (sessionId: string, personaId: number) =>
  h.bus.request('login', { session_id: sessionId, persona_id: personaId });

test('lists the seven personas by id with name and description', async () => {
  const { personas } = await h.bus.request('personas', {});
  expect(personas).toEqual(data.personas.map((p) => ({ id: p.id, name: p.name, description: p.description })));
  expect(personas.map((p) => p.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
});

test("login on a live session binds it and pushes exactly one recommendation with its cluster's two cards", async () => {
  const { sessionId, socket } = await liveSession();
  expect(await login(sessionId, 1)).toEqual({ persona_id: 1 });
  expect(await bindings(sessionId)).toEqual([{ persona_id: 1 }]);
  const replies = candidatesOf(h, sessionId);
  expect(replies).toHaveLength(1);
  const [{ reply, msgId }] = replies;
  expect(reply).toMatchObject({ session_id: sessionId, kind: 'push', prompt_message_id: null, source: 'persona' });
  expect(msgId).toBe(reply.reply_id);
  expect(reply.reply_id).toMatch(/^[0-9a-f-]{36}$/);
  const cluster = clusterOf(1);
  expect(reply.answer).toMatchObject({
    card_list: cluster.cards.map((card) => card.name),
    tool_name: 'consumption_recommend',
    login_required: false,
  });
  expect(reply.answer.message).toContain(data.personas[0].name);
  expect(reply.answer.message).toContain(cluster.label);
  expect(reply.answer.message).toContain('교통: 118,000원');
  // chat-log commits the push and the gateway shows it on the session's socket, under its reply id.
  const [frame] = await waitForReplies(socket, 1);
  expect(frame).toMatchObject({ sender: 'bot', message_id: reply.reply_id, seq: 1, ...reply.answer });
  expect(await history(h, sessionId)).toEqual([
    { role: 'assistant', content: reply.answer.message, message_id: reply.reply_id, at: expect.any(String) },
  ]);
  expect(replyFrames(socket)).toHaveLength(1);
});

test('every persona is pushed the cards of the cluster its spending falls into', async () => {
  for (const persona of data.personas) {
    const { sessionId, socket } = await liveSession();
    await login(sessionId, persona.id);
    const [{ reply }] = candidatesOf(h, sessionId);
    const [frame] = await waitForReplies(socket, 1);
    expect({ persona: persona.id, cards: reply.answer.card_list, shown: frame.card_list }).toEqual({
      persona: persona.id,
      cards: clusterOf(persona.id).cards.map((card) => card.name),
      shown: clusterOf(persona.id).cards.map((card) => card.name),
    });
  }
});

test('login on a session no gateway holds is refused with E4005 and binds nothing', async () => {
  const sessionId = randomUUID();
  await expect(login(sessionId, 1)).rejects.toMatchObject({ code: 'E4005' });
  expect(await bindings(sessionId)).toEqual([]);
  expect(candidatesOf(h, sessionId)).toEqual([]);
  expect(await history(h, sessionId)).toEqual([]);
});

test('login with an unknown persona is refused with E4006 and binds nothing', async () => {
  const { sessionId, socket } = await liveSession();
  await expect(login(sessionId, 99)).rejects.toMatchObject({ code: 'E4006' });
  expect(await bindings(sessionId)).toEqual([]);
  expect(candidatesOf(h, sessionId)).toEqual([]);
  expect(await history(h, sessionId)).toEqual([]);
  expect(replyFrames(socket)).toEqual([]);
});

test('logging in again with another persona rebinds the session and pushes the new cards', async () => {
  const { sessionId, socket } = await liveSession();
  await login(sessionId, 1);
  await login(sessionId, 4);
  expect(await bindings(sessionId)).toEqual([{ persona_id: 4 }]);
  expect(await h.bus.request('binding', { session_id: sessionId })).toEqual({ persona_id: 4 });
  const pushed = [clusterOf(1).cards.map((card) => card.name), clusterOf(4).cards.map((card) => card.name)];
  expect(candidatesOf(h, sessionId).map((r) => r.reply.answer.card_list)).toEqual(pushed);
  const frames = await waitForReplies(socket, 2);
  expect(frames.map((frame) => [frame.seq, frame.card_list])).toEqual([[1, pushed[0]], [2, pushed[1]]]);
});

test('binding answers the persona, null for a live unbound session, E4005 for an unknown session', async () => {
  const { sessionId: bound } = await liveSession();
  await login(bound, 3);
  expect(await h.bus.request('binding', { session_id: bound })).toEqual({ persona_id: 3 });
  const { sessionId: unbound } = await liveSession();
  expect(await h.bus.request('binding', { session_id: unbound })).toEqual({ persona_id: null });
  await expect(h.bus.request('binding', { session_id: randomUUID() })).rejects.toMatchObject({ code: 'E4005' });
});

test('recommend without a login asks the user to pick a persona', async () => {
  const result = await h.bus.request('recommend', { session_id: randomUUID() });
  expect(result).toEqual({ login_required: true, persona_id: null, cluster_label: null, cards: [], message: expect.any(String) });
  expect(result.message).toMatch(/^로그인이 필요합니다.*페르소나를 선택해 주세요\.$/);
});

test("recommend for a logged-in session returns the persona's cluster, cards with reasons and a Markdown table", async () => {
  const { sessionId } = await liveSession();
  await login(sessionId, 7);
  const cluster = clusterOf(7);
  const result = await h.bus.request('recommend', { session_id: sessionId });
  expect(result).toMatchObject({ login_required: false, persona_id: 7, cluster_label: cluster.label, cards: cluster.cards });
  expect(result.message).toContain('교육: 2,940,000원');
  expect(result.message).toContain(`| ${cluster.cards[0].name} | ${cluster.cards[0].reason} |`);
});

test('invalid request payloads are refused with E4002', async () => {
  const send = (key: 'login' | 'recommend' | 'binding', payload: unknown) =>
    h.bus.request(key, payload as never);
  await expect(send('login', { session_id: 'not-a-session', persona_id: 1 })).rejects.toMatchObject({ code: 'E4002' });
  await expect(send('login', { session_id: randomUUID(), persona_id: 'one' })).rejects.toMatchObject({ code: 'E4002' });
  await expect(send('recommend', {})).rejects.toMatchObject({ code: 'E4002' });
  await expect(send('binding', { session_id: 42 })).rejects.toMatchObject({ code: 'E4002' });
});

test('login answers E5005 when the recommendation cannot be published, and works again once it can', async () => {
  const { sessionId, socket } = await liveSession();
  await whileStreamRefuses(h.env, 'CHAT_REPLIES', async () => {
    await expect(login(sessionId, 5)).rejects.toMatchObject({ code: 'E5005' });
  });
  expect(await login(sessionId, 5)).toEqual({ persona_id: 5 });
  // The broker hands the refused push to the subject's subscribers too; only the second was stored,
  // and only it reaches chat-log and the socket.
  const attempts = candidatesOf(h, sessionId);
  expect(attempts).toHaveLength(2);
  const stored = attempts[1].reply;
  const [frame] = await waitForReplies(socket, 1);
  expect(frame).toMatchObject({ message_id: stored.reply_id, seq: 1, card_list: clusterOf(5).cards.map((card) => card.name) });
  expect((await history(h, sessionId)).map((turn) => turn.message_id)).toEqual([stored.reply_id]);
  expect(replyFrames(socket)).toHaveLength(1);
});
