import { randomUUID } from 'node:crypto';
import { freePort } from '@chatbot/devstack';
import { eventually, isolate, isBotFrame, startService, TestSocket, type RunningService, type ServiceName, type TestEnv } from '@chatbot/testkit';
import { privatePostgres, type PrivateServer } from './support/private-infra';

/**
 * Postgres away, at start-up and while running: chat-log, qna-cache and persona stay up, say
 * "not ready", answer requests with E5003 (503 over REST) instead of hanging, and serve again by
 * themselves when it returns. The test has a Postgres of its own to stop; NATS is the shared one.
 */
const DB_SERVICES: ServiceName[] = ['chat-log', 'qna-cache', 'persona'];

let env: TestEnv;
let postgres: PrivateServer;
let vars: Record<string, string>;
const services = new Map<string, RunningService>();
const opsPorts = new Map<string, number>();

beforeAll(async () => {
  env = await isolate();
  postgres = await privatePostgres('degrade');
  vars = { ...env.env, DATABASE_URL: postgres.url, REPLY_TIMEOUT_MS: '20000' };
  for (const name of DB_SERVICES) opsPorts.set(name, await freePort());
});
afterAll(async () => {
  await Promise.all([...services.values()].map((s) => s.process.stop('SIGTERM', 15_000)));
  await postgres?.dispose();
  await env?.cleanup();
});

const readyz = async (name: string) => {
  const res = await fetch(`http://127.0.0.1:${opsPorts.get(name)}/readyz`).catch(() => undefined);
  return res ? { status: res.status, body: (await res.json()) as { dependencies: Record<string, { status: string }> } } : undefined;
};
const alive = (service: RunningService) => {
  const pid = service.process.pid;
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** These waits include a service noticing an outage: longer than the testkit's default. */
const OUTAGE_WAIT_MS = 20_000;

test('with Postgres down at start-up they stay up, retry with a log line each time, report not ready, and start when it comes', async () => {
  const logs = new Map<string, string[]>();
  const starting = DB_SERVICES.map((name) =>
    startService(name, { ...vars, OPS_PORT: String(opsPorts.get(name)) }).then((service) => {
      services.set(name, service);
      return service;
    }),
  );
  for (const name of DB_SERVICES) {
    const report = await eventually(async () => {
      const answer = await readyz(name);
      if (!answer) throw new Error(`${name}: ops endpoint not up yet`);
      return answer;
    }, OUTAGE_WAIT_MS);
    expect(report.status).toBe(503);
    expect(report.body.dependencies).toMatchObject({ postgres: { status: 'down' }, startup: { status: 'down' } });
  }
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // several attempts, none fatal
  expect(services.size).toBe(0); // nobody said ready without its database
  for (const name of DB_SERVICES) expect((await readyz(name))?.status).toBe(503); // and nobody exited

  await postgres.start();
  for (const service of await Promise.all(starting)) {
    logs.set(service.name, service.logs);
    expect(alive(service)).toBe(true);
    expect(service.process.restarts).toBe(0);
    const retries = service.logs.filter((line) => line.includes('database unreachable at start-up, retrying'));
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(retries[0])).toMatchObject({ level: 'warn', attempt: 1, retryInMs: expect.any(Number) });
    expect((await readyz(service.name))?.status).toBe(200);
  }
}, 60_000);

test('with Postgres down while running they stay up, answer 503 E5003, hold the chat, and serve again when it returns', async () => {
  const gateway = await startService('gateway', vars);
  services.set('gateway', gateway);
  const http = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${gateway.ports.http}${path}`, init);
  const feedback = () =>
    http('/api/chat/feedback', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message_id: 'unknown', is_helpful: true }) });
  expect((await http('/api/qna/faq?top_k=3')).status).toBe(200);
  expect((await http('/api/chat/personas')).status).toBe(200);

  await postgres.stop();
  for (const name of DB_SERVICES) await eventually(async () => expect((await readyz(name))?.status).toBe(503), OUTAGE_WAIT_MS);
  for (const res of [await http('/api/qna/faq?top_k=3'), await http('/api/chat/personas'), await feedback()]) {
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'E5003', incident_id: expect.any(String) });
  }
  // A chat message meanwhile: the cache answers it, chat-log holds it until it can store it.
  const socket = await TestSocket.open(`ws://127.0.0.1:${gateway.ports.http}/api/chat/ws`);
  await socket.waitFor(() => true);
  const messageId = randomUUID();
  socket.send({ message_id: messageId, message: '연회비' });
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  for (const service of services.values()) expect(alive(service)).toBe(true);
  expect(socket.frames.filter((f) => isBotFrame(f as Record<string, unknown>))).toEqual([]);

  await postgres.start();
  const [reply] = await socket.waitFor((f) => isBotFrame(f) && f.message_id === messageId, 1, 20_000);
  expect(reply.message).toContain('연회비');
  await eventually(async () => expect((await http('/api/qna/faq?top_k=3')).status).toBe(200), OUTAGE_WAIT_MS);
  await eventually(async () => expect((await http('/api/chat/personas')).status).toBe(200), OUTAGE_WAIT_MS);
  expect((await feedback()).status).toBe(404); // chat-log answers again: that message is unknown
  for (const name of DB_SERVICES) await eventually(async () => expect((await readyz(name))?.status).toBe(200), OUTAGE_WAIT_MS);
  for (const service of services.values()) expect(service.process.restarts).toBe(0);
  await socket.close();
}, 60_000);
