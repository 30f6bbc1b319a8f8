import { Client } from 'pg';
import { CORRELATION_HEADER } from '@chatbot/bus';
import { requests } from '@chatbot/proto';
import { BrokerAdmin, whileStreamRefuses } from '@chatbot/testkit';
import { connect, eventually, metric, sendStored, answer, startWorld, type GatewayWorld } from '../test/harness';

/**
 * The REST routes against the real qna-cache, persona and chat-log: what they answer comes from
 * their seed data and their databases; failures are real ones (a table gone, a paused or stopped
 * process, a stream refusing a publish). The test asks them itself for what the gateway must relay,
 * and watches the gateway's requests; it never answers one.
 */
let world: GatewayWorld;
let admin: BrokerAdmin;
const calls: Array<{ key: string; payload: unknown; correlationId: string | undefined }> = [];

/** What the real service answers over the bus: the gateway must relay it unchanged. */
const faqTop = async (top_k: number) => (await world.bus.request('faqTop', { top_k })).items;
const termTop = async (top_k: number) => (await world.bus.request('termTop', { top_k })).items;
const personaList = async () => (await world.bus.request('personas', {})).personas;

beforeAll(async () => {
  // Real services answer in milliseconds, but a machine busy with other tests may take a second.
  world = await startWorld({ REQUEST_TIMEOUT_MS: '2500', CORS_ORIGINS: '*' }, { peers: ['chat-log', 'qna-cache', 'persona'] });
  // A copy of every faqTop request, as qna-cache receives it; qna-cache answers, this never does.
  admin = await BrokerAdmin.open(world.env);
  admin.watch(requests.faqTop.name, (msg) => calls.push({ key: 'faqTop', payload: msg.json(), correlationId: msg.header(CORRELATION_HEADER) }));
  await admin.flush();
});
afterAll(async () => {
  await admin?.close();
  await world?.stop();
});

/** Runs `body` with a statement applied to a service's database, and its opposite after. */
async function withSql<T>(apply: string, undo: string, body: () => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: world.env.databaseUrl });
  await client.connect();
  try {
    await client.query(apply);
    try {
      return await body();
    } finally {
      await client.query(undo);
    }
  } finally {
    await client.end();
  }
}

const get = (path: string, headers: Record<string, string> = {}) => fetch(world.http + path, { headers });
const post = (path: string, body: unknown) =>
  fetch(world.http + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as any });

test('/docs/openapi.json serves the OpenAPI document built from the same contracts as the routes', async () => {
  const { openApiDocument } = await import('@chatbot/proto');
  const { status, body } = await json(await get('/docs/openapi.json'));
  expect(status).toBe(200);
  expect(body).toEqual(JSON.parse(JSON.stringify(openApiDocument(body.info.version))));
  for (const path of ['/api/qna/faq', '/api/qna/terms', '/api/chat/personas', '/api/login/', '/api/login/persona_id', '/api/chat/feedback']) {
    expect(body.paths).toHaveProperty([path]);
  }
});

test('health answers with and without the trailing slash', async () => {
  for (const path of ['/api/health', '/api/health/']) expect(await json(await get(path))).toEqual({ status: 200, body: { status: 'ok' } });
});

test('ops endpoints share the API port and readiness checks NATS', async () => {
  expect(await json(await get('/readyz'))).toMatchObject({ status: 200, body: { dependencies: { nats: { status: expect.stringMatching(/^up/) } } } });
  expect((await get('/healthz')).status).toBe(200);
  const metrics = await (await get('/metrics')).text();
  expect(metrics).toContain('chatbot_gateway_http_request_duration_seconds');
});

test('FAQ top list: default top_k 3, the correlation id travels to the service, bad top_k is 400', async () => {
  const [three, one] = [await faqTop(3), await faqTop(1)];
  expect([three.length, one.length]).toEqual([3, 1]);
  const res = await get('/api/qna/faq', { 'x-correlation-id': 'corr-faq-1' });
  expect(res.headers.get('x-correlation-id')).toBe('corr-faq-1');
  expect(await json(res)).toEqual({ status: 200, body: three });
  expect(calls.at(-1)).toEqual({ key: 'faqTop', payload: { top_k: 3 }, correlationId: 'corr-faq-1' });
  expect(await json(await get('/api/qna/faq?top_k=1'))).toEqual({ status: 200, body: one });
  for (const bad of ['0', 'abc', '101', '1.5']) {
    expect(await json(await get(`/api/qna/faq?top_k=${bad}`))).toMatchObject({ status: 400, body: { code: 'E4001', detail: expect.any(Array) } });
  }
});

test('term top list: default top_k 6 and 400 on a bad top_k', async () => {
  const six = await termTop(6);
  expect(six).toHaveLength(6);
  expect(await json(await get('/api/qna/terms'))).toEqual({ status: 200, body: six });
  expect((await get('/api/qna/terms?top_k=-1')).status).toBe(400);
});

test('a failing service gives a 5xx with an incident id and no details', async () => {
  // qna-cache's terms table is gone for this one request: its query fails inside the service.
  const { status, body } = await withSql('ALTER TABLE qna_cache.terms RENAME TO terms_hidden_hunter2', 'ALTER TABLE qna_cache.terms_hidden_hunter2 RENAME TO terms', async () =>
    json(await get('/api/qna/terms')),
  );
  // qna-cache reports a failing query as storage trouble worth a retry: 503 E5003, not 500 E5004.
  expect(status).toBe(503);
  expect(body).toEqual({ error: expect.any(String), code: 'E5003', incident_id: expect.stringMatching(/^INC-\d{8}-[0-9A-F]{8}$/) });
  for (const detail of ['hunter2', 'qna_cache', 'does not exist']) expect(JSON.stringify(body)).not.toContain(detail);
  await eventually(() => expect(world.gateway.logs.some((line) => line.includes(body.incident_id))).toBe(true));
  // the details went to qna-cache's log
  await eventually(() => expect(world.services.get('qna-cache')!.logs.some((line) => line.includes('terms') && line.includes('does not exist'))).toBe(true));
  // and the service works again once its table is back
  expect(await json(await get('/api/qna/terms?top_k=1'))).toEqual({ status: 200, body: await termTop(1) });
});

test('a service slower than REQUEST_TIMEOUT_MS gives 504 E5001', async () => {
  const res = await world.whilePaused('qna-cache', async () => json(await get('/api/qna/terms')));
  expect(res).toMatchObject({ status: 504, body: { code: 'E5001', incident_id: expect.any(String) } });
});

test('personas on both seed paths', async () => {
  const personas = await personaList();
  expect(personas).toHaveLength(7);
  const expected = { status: 200, body: { personas } };
  expect(await json(await get('/api/chat/personas'))).toEqual(expected);
  expect(await json(await get('/api/login/personas'))).toEqual(expected);
});

test('login of a live session answers 200 with null, with or without the slash', async () => {
  const { socket, sessionId } = await connect(world.ws);
  for (const path of ['/api/login/', '/api/login']) {
    const res = await post(path, { session_id: sessionId, persona_id: 2 });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('null');
  }
  await socket.close();
});

test('login errors: no live session 404, unknown persona 404, recommendation failure 502, bad body 422', async () => {
  const { socket, sessionId } = await connect(world.ws);
  // persona cannot push the recommendation: the replies stream refuses it
  const refused = await whileStreamRefuses(world.env, 'CHAT_REPLIES', async () => json(await post('/api/login/', { session_id: sessionId, persona_id: 2 })));
  expect(refused).toMatchObject({ status: 502, body: { code: 'E5005', incident_id: expect.any(String) } });
  await socket.close();
  // the client's close completes before the gateway has handled it
  await eventually(async () => expect(await metric(world.http, 'chatbot_gateway_session_subscriptions')).toBe(0));
  expect(await json(await post('/api/login/', { session_id: sessionId, persona_id: 2 }))).toMatchObject({ status: 404, body: { code: 'E4005' } });
  expect((await personaList()).some((p) => p.id === 99)).toBe(false);
  expect(await json(await post('/api/login/', { session_id: sessionId, persona_id: 99 }))).toMatchObject({ status: 404, body: { code: 'E4006' } });
  const bad = await json(await post('/api/login/', { session_id: 'not-a-uuid', persona_id: '2' }));
  expect(bad.status).toBe(422);
  expect(bad.body.code).toBe('E4002');
  expect(bad.body.detail.map((issue: { path: string[] }) => issue.path[0])).toEqual(['session_id', 'persona_id']);
  expect(await json(await post('/api/login/', '{not json'))).toMatchObject({ status: 422, body: { code: 'E4002' } });
});

test('persona binding: the persona id, 404 for an unknown session, 422 for a bad body', async () => {
  const { socket, sessionId } = await connect(world.ws);
  expect((await post('/api/login/', { session_id: sessionId, persona_id: 3 })).status).toBe(200);
  await socket.close();
  // the binding outlives the socket
  expect(await json(await post('/api/login/persona_id', { session_id: sessionId }))).toEqual({ status: 200, body: { persona_id: 3 } });
  expect((await post('/api/login/persona_id', { session_id: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
  expect((await post('/api/login/persona_id', {})).status).toBe(422);
});

test('feedback: success echo, 404 for an unknown message, 422 for a bad body', async () => {
  // a reply chat-log really released, shown under the prompt's id
  const { socket, sessionId } = await connect(world.ws, 'chat.v2');
  const messageId = `fb-${sessionId}`;
  await sendStored(socket, messageId);
  await answer(world.bus, sessionId, messageId);
  await socket.waitFor((f) => f.type === 'reply' && f.message_id === messageId);
  await socket.close();
  const sent = { message_id: messageId, is_helpful: false, prompt_message_id: messageId };
  expect(await json(await post('/api/chat/feedback', sent))).toEqual({ status: 200, body: { status: 'success', message_id: messageId, feedback_received: false } });
  expect(await json(await post('/api/chat/feedback', { message_id: messageId, is_helpful: null }))).toMatchObject({ body: { feedback_received: null } });
  expect(await json(await post('/api/chat/feedback', { message_id: 'unknown', is_helpful: true }))).toMatchObject({ status: 404, body: { code: 'E4007' } });
  expect((await post('/api/chat/feedback', { message_id: messageId, is_helpful: 'yes' })).status).toBe(422);
});

test('CORS: a JSON POST preflight is answered 204 and responses allow the origin', async () => {
  const preflight = await fetch(`${world.http}/api/login/`, {
    method: 'OPTIONS',
    headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
  expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');
  const res = await get('/api/chat/personas', { origin: 'http://localhost:5173' });
  expect(res.headers.get('access-control-allow-origin')).toBe('*');
});

test('an unknown route is a JSON 404', async () => {
  expect(await json(await get('/api/nope'))).toMatchObject({ status: 404, body: { error: 'Not found' } });
});

test('a service nobody answers gives 503 E5002', async () => {
  const res = await world.whileDown('persona', async () => json(await get('/api/chat/personas')));
  expect(res).toMatchObject({ status: 503, body: { code: 'E5002', incident_id: expect.any(String) } });
});
