import { Bus } from '@chatbot/bus';
import { createLogger, AppError } from '@chatbot/runtime';
import { connect, eventually, metric, startWorld, type GatewayWorld } from './gateway.itest-support';

let world: GatewayWorld;
let personaBus: Bus;
const calls: Array<{ key: string; payload: unknown; correlationId: string }> = [];
const faqs = [
  { faq_id: 'FAQ-001', question: '카드를 정지할 수 있나요?', answer: '네.', views: 9 },
  { faq_id: 'FAQ-002', question: '연회비는?', answer: '카드마다 다릅니다.', views: 5 },
];

beforeAll(async () => {
  world = await startWorld({ REQUEST_TIMEOUT_MS: '800', CORS_ORIGINS: '*' });
  const { bus } = world;
  bus.serve('faqTop', async ({ top_k }, ctx) => {
    calls.push({ key: 'faqTop', payload: { top_k }, correlationId: ctx.correlationId });
    return { items: faqs.slice(0, top_k) };
  });
  bus.serve('termTop', async ({ top_k }) => {
    if (top_k === 42) throw new Error('database exploded: password=hunter2');
    if (top_k === 43) await new Promise((resolve) => setTimeout(resolve, 2000));
    return { items: [{ term_id: 'TERM-001', term: '리볼빙', definition: '일부만 결제' }].slice(0, top_k) };
  });
  bus.serve('feedback', async ({ message_id, is_helpful }) => {
    if (message_id === 'unknown') throw new AppError('E4007');
    return { message_id, feedback_received: is_helpful };
  });
  // persona runs on its own connection, so a test can take it away
  personaBus = await Bus.connect({ url: world.env.natsUrl, prefix: world.env.prefix, name: 'persona-itest', logger: createLogger('persona-itest', 'silent') });
  personaBus.serve('personas', async () => ({ personas: [{ id: 1, name: '알뜰한 대학생', description: null }] }));
  personaBus.serve('login', async ({ session_id, persona_id }) => {
    if (persona_id === 99) throw new AppError('E4006');
    if (persona_id === 98) throw new AppError('E5005');
    await personaBus.request('presence', {}, { token: session_id, timeoutMs: 500 }).catch(() => {
      throw new AppError('E4005');
    });
    return { persona_id };
  });
  personaBus.serve('binding', async ({ session_id }) => {
    if (session_id.startsWith('0')) throw new AppError('E4005');
    return { persona_id: 3 };
  });
  await Promise.all([bus.nc.flush(), personaBus.nc.flush()]);
});
afterAll(async () => {
  await personaBus?.close();
  await world?.stop();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(world.http + path, { headers });
const post = (path: string, body: unknown) =>
  fetch(world.http + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as any });

test('/docs serves the OpenAPI document built from the same contracts as the routes', async () => {
  const { openApiDocument } = await import('@chatbot/proto');
  const { status, body } = await json(await get('/docs'));
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
  const res = await get('/api/qna/faq', { 'x-correlation-id': 'corr-faq-1' });
  expect(res.headers.get('x-correlation-id')).toBe('corr-faq-1');
  expect(await json(res)).toEqual({ status: 200, body: faqs });
  expect(calls.at(-1)).toEqual({ key: 'faqTop', payload: { top_k: 3 }, correlationId: 'corr-faq-1' });
  expect(await json(await get('/api/qna/faq?top_k=1'))).toEqual({ status: 200, body: faqs.slice(0, 1) });
  for (const bad of ['0', 'abc', '101', '1.5']) {
    expect(await json(await get(`/api/qna/faq?top_k=${bad}`))).toMatchObject({ status: 400, body: { code: 'E4001', detail: expect.any(Array) } });
  }
});

test('term top list: default top_k 6 and 400 on a bad top_k', async () => {
  expect(await json(await get('/api/qna/terms'))).toEqual({ status: 200, body: [{ term_id: 'TERM-001', term: '리볼빙', definition: '일부만 결제' }] });
  expect((await get('/api/qna/terms?top_k=-1')).status).toBe(400);
});

test('a failing service gives 500 with an incident id and no details', async () => {
  const { status, body } = await json(await get('/api/qna/terms?top_k=42'));
  expect(status).toBe(500);
  expect(body).toEqual({ error: expect.any(String), code: 'E5004', incident_id: expect.stringMatching(/^INC-\d{8}-[0-9A-F]{8}$/) });
  expect(JSON.stringify(body)).not.toContain('hunter2');
  await eventually(() => expect(world.gateway.logs.some((line) => line.includes(body.incident_id))).toBe(true));
});

test('a service slower than REQUEST_TIMEOUT_MS gives 504 E5001', async () => {
  expect(await json(await get('/api/qna/terms?top_k=43'))).toMatchObject({ status: 504, body: { code: 'E5001', incident_id: expect.any(String) } });
});

test('personas on both seed paths', async () => {
  const expected = { status: 200, body: { personas: [{ id: 1, name: '알뜰한 대학생', description: null }] } };
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
  await socket.close();
  // the client's close completes before the gateway has handled it
  await eventually(async () => expect(await metric(world.http, 'chatbot_gateway_session_subscriptions')).toBe(0));
  expect(await json(await post('/api/login/', { session_id: sessionId, persona_id: 2 }))).toMatchObject({ status: 404, body: { code: 'E4005' } });
  expect(await json(await post('/api/login/', { session_id: sessionId, persona_id: 99 }))).toMatchObject({ status: 404, body: { code: 'E4006' } });
  expect(await json(await post('/api/login/', { session_id: sessionId, persona_id: 98 }))).toMatchObject({ status: 502, body: { code: 'E5005', incident_id: expect.any(String) } });
  const bad = await json(await post('/api/login/', { session_id: 'not-a-uuid', persona_id: '2' }));
  expect(bad.status).toBe(422);
  expect(bad.body.code).toBe('E4002');
  expect(bad.body.detail.map((issue: { path: string[] }) => issue.path[0])).toEqual(['session_id', 'persona_id']);
  expect(await json(await post('/api/login/', '{not json'))).toMatchObject({ status: 422, body: { code: 'E4002' } });
});

test('persona binding: the persona id, 404 for an unknown session, 422 for a bad body', async () => {
  expect(await json(await post('/api/login/persona_id', { session_id: 'a0000000-0000-4000-8000-000000000000' }))).toEqual({ status: 200, body: { persona_id: 3 } });
  expect((await post('/api/login/persona_id', { session_id: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
  expect((await post('/api/login/persona_id', {})).status).toBe(422);
});

test('feedback: success echo, 404 for an unknown message, 422 for a bad body', async () => {
  const sent = { message_id: 'm-1', is_helpful: false, prompt_message_id: 'm-1' };
  expect(await json(await post('/api/chat/feedback', sent))).toEqual({ status: 200, body: { status: 'success', message_id: 'm-1', feedback_received: false } });
  expect(await json(await post('/api/chat/feedback', { message_id: 'm-1', is_helpful: null }))).toMatchObject({ body: { feedback_received: null } });
  expect(await json(await post('/api/chat/feedback', { message_id: 'unknown', is_helpful: true }))).toMatchObject({ status: 404, body: { code: 'E4007' } });
  expect((await post('/api/chat/feedback', { message_id: 'm-1', is_helpful: 'yes' })).status).toBe(422);
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
  await personaBus.close();
  expect(await json(await get('/api/chat/personas'))).toMatchObject({ status: 503, body: { code: 'E5002', incident_id: expect.any(String) } });
});
