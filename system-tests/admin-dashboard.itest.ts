import { randomUUID } from 'node:crypto';
import { startStubLlm, startSystem, TestSocket, waitFor, type StubLlm, type TestSystem } from '@chatbot/testkit';
import type { DashboardResponse } from '@chatbot/proto';
import { callApi, createAdmin, register, signIn } from './support/accounts';

/**
 * `GET /api/admin/dashboard` over the whole system as real processes (two llm-dispatch workers,
 * the stub OpenAI server as the model): every service answers `ops.metrics.v1`, the workers'
 * figures add up, a failed model call and a REST 5xx show with the incident ids their logs carry,
 * and a stopped service is missing, not zero.
 */
let stub: StubLlm;
let system: TestSystem;
let adminToken: string;

const FAILING = '이 질문은 모델이 실패합니다';

beforeAll(async () => {
  stub = await startStubLlm();
  stub.setScript((body) => {
    const text = JSON.stringify(body.messages ?? []);
    return text.includes(FAILING) ? { httpStatus: 400, errorMessage: 'bad request from the test' } : { text: '대시보드 답변입니다.', tokenDelayMs: 1 };
  });
  system = await startSystem({ workers: 2, env: { LLM_BASE_URL: stub.url, LLM_MODEL: 'stub-model', JWT_SECRET: 'dashboard-itest-jwt-secret-0123456789abcdef', DASHBOARD_GATHER_MS: '1500' } });
  await createAdmin(system, 'admin@example.com', 'admin-password-123');
  adminToken = await signIn(system, 'admin@example.com', 'admin-password-123');
}, 180_000);

afterAll(async () => {
  await system?.stop();
  await stub?.close();
});

const dashboard = async (): Promise<DashboardResponse> => {
  const answer = await callApi(system, 'GET', '/api/admin/dashboard', { token: adminToken });
  expect(answer.status).toBe(200);
  return answer.body as DashboardResponse;
};

async function ask(socket: TestSocket, message: string): Promise<Record<string, unknown>> {
  const messageId = randomUUID();
  socket.send({ type: 'message', message_id: messageId, message });
  const [reply] = await socket.waitFor((f) => (f.type === 'reply' || f.type === 'error') && f.message_id === messageId, 1, 60_000);
  return reply as Record<string, unknown>;
}

test('no token is 401, a customer is 403, an agent and an admin read it', async () => {
  expect((await callApi(system, 'GET', '/api/admin/dashboard')).status).toBe(401);
  await register(system, 'customer@example.com');
  const customer = await signIn(system, 'customer@example.com', 'a-long-password-1');
  expect(await callApi(system, 'GET', '/api/admin/dashboard', { token: customer })).toMatchObject({ status: 403, body: { code: 'E4013' } });
  const agentId = await register(system, 'agent@example.com');
  expect((await callApi(system, 'PUT', `/api/admin/accounts/${agentId}/role`, { token: adminToken, body: { role: 'agent' } })).status).toBe(200);
  const agent = await signIn(system, 'agent@example.com', 'a-long-password-1');
  expect((await callApi(system, 'GET', '/api/admin/dashboard', { token: agent })).status).toBe(200);
}, 120_000);

test('messages, reply latency, tokens, the queue and each worker\'s breaker, with every instance answering', async () => {
  const socket = await TestSocket.open(system.ws(), 'chat.v2');
  await socket.waitFor((f) => f.type === 'session');
  for (const message of ['대시보드 첫 질문이에요', '대시보드 두 번째 질문이에요']) expect((await ask(socket, message)).message).toBe('대시보드 답변입니다.');
  socket.close();

  const now = await dashboard();
  const instances = Object.fromEntries(now.services.map((s) => [s.service, s.instances.length]));
  expect(instances).toEqual({ gateway: 1, 'chat-log': 1, 'qna-cache': 1, persona: 1, 'llm-dispatch': 2 });
  expect(now.gateway).toMatchObject({ messages_total: 2, reply_timeouts_total: 0 });
  expect(now.gateway!.reply_p50_ms).toEqual(expect.any(Number));
  expect(now.gateway!.reply_p99_ms).toBeGreaterThanOrEqual(now.gateway!.reply_p50_ms!);
  expect(now.chat_log).toMatchObject({ messages_stored_total: 2, inbound_pending: 0, sessions_awaiting_reply: 0, waiting_for_agent: 0 });
  expect(now.llm!.prompt_tokens_total).toBeGreaterThan(0);
  expect(now.llm!.completion_tokens_total).toBeGreaterThan(0);
  // a job is acknowledged just after its reply went out: the queue empties
  await waitFor('an empty work queue', async () => {
    const { llm } = await dashboard();
    return llm?.queue_pending === 0 && llm.queue_ack_pending === 0;
  }, 10_000, 200);
  expect(now.llm!.breakers.map((b) => b.state)).toEqual(['closed', 'closed']);
}, 180_000);

test('a failed model call is an incident of llm-dispatch, listed with the id its log line carries', async () => {
  const socket = await TestSocket.open(system.ws(), 'chat.v2');
  const [session] = await socket.waitFor((f) => f.type === 'session');
  await ask(socket, FAILING);
  socket.close();

  const { incidents } = await dashboard();
  const failed = incidents.recent.find((i) => i.service === 'llm-dispatch');
  expect(failed).toMatchObject({ code: 'E5002', where: `llm.job.v1.${(session as { session_id: string }).session_id}` });
  expect(failed!.incident_id).toMatch(/^INC-\d{8}-[0-9A-F]{8}$/);
  expect(incidents.by_code.E5002).toBeGreaterThanOrEqual(1);
  const logs = system.services.filter((s) => s.name.startsWith('llm-dispatch')).flatMap((s) => s.logs);
  expect(logs.some((line) => line.includes(failed!.incident_id))).toBe(true);
}, 120_000);

test('a stopped service is missing, not zero, and the 503 the gateway answered for it is an incident', async () => {
  await system.byName('qna-cache').process.stop('SIGTERM', 15_000);
  const refused = await callApi(system, 'GET', '/api/qna/faq');
  expect(refused).toMatchObject({ status: 503, body: { code: 'E5002', incident_id: expect.any(String) } });

  const now = await dashboard();
  expect(now.services.find((s) => s.service === 'qna-cache')!.instances).toEqual([]);
  expect(now.services.find((s) => s.service === 'chat-log')!.instances).toHaveLength(1);
  expect(now.incidents.recent).toContainEqual(expect.objectContaining({
    service: 'gateway', code: 'E5002', incident_id: refused.body.incident_id, where: 'GET qna.faq',
  }));
}, 120_000);
