import { randomUUID } from 'node:crypto';
import { startPersona, type PersonaHarness } from '../test/harness';

let h: PersonaHarness;
beforeAll(async () => {
  h = await startPersona();
});
afterAll(async () => {
  await h?.close();
});

const count = async (table: string): Promise<number> =>
  (await h.pg.query(`SELECT count(*)::int AS n FROM persona.${table}`)).rows[0].n;

const seedingLine = (logs: string[]) =>
  logs.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'reference data seeded');

test('start-up migrates the empty database into the persona schema and seeds it', async () => {
  expect(seedingLine(h.service.logs).changed).toEqual({ clusters: 8, personas: 7 });
  const tables = await h.pg.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'persona' ORDER BY table_name`,
  );
  expect(tables.rows.map((r) => r.table_name)).toEqual([
    '_migrations', 'accounts', 'api_keys', 'chatbot_settings', 'clusters', 'counted_messages', 'external_identities', 'login_throttles', 'personas', 'refresh_tokens', 'session_bindings',
  ]);
  expect((await h.pg.query('SELECT name FROM persona._migrations ORDER BY name')).rows).toEqual([{ name: '001_init.sql' }, { name: '002_accounts.sql' }, { name: '003_external_identities.sql' }, { name: '004_api_key_system_prompt_scope.sql' }, { name: '005_counted_messages.sql' }, { name: '006_chatbot_settings.sql' }, { name: '007_counted_messages_age.sql' }]);
  expect([await count('clusters'), await count('personas')]).toEqual([8, 7]);
});

test('every model is read and written through the generated client against the migrated tables', async () => {
  const sessionId = randomUUID();
  await h.connect(sessionId); // the gateway holds its socket: the session is live
  // Persona: list and lookup; Cluster: read for the recommendation; SessionBinding: upsert and read.
  expect((await h.bus.request('personas', {})).personas).toHaveLength(7);
  await h.bus.request('login', { session_id: sessionId, persona_id: 2 });
  const recommended = await h.bus.request('recommend', { session_id: sessionId });
  expect(recommended).toMatchObject({ persona_id: 2, cluster_label: '프리미엄 라이프형 (고액 다양한 소비)' });
  expect(await h.bus.request('binding', { session_id: sessionId })).toEqual({ persona_id: 2 });
  const row = (await h.pg.query('SELECT * FROM persona.session_bindings WHERE session_id = $1', [sessionId])).rows[0];
  expect(row).toMatchObject({ persona_id: 2, bound_at: expect.any(Date), updated_at: expect.any(Date) });
  await h.pg.query('DELETE FROM persona.session_bindings WHERE session_id = $1', [sessionId]);
});

test('a second start on the same database adds nothing and changes nothing', async () => {
  const before = (await h.pg.query('SELECT * FROM persona.personas ORDER BY id')).rows;
  const clustersBefore = (await h.pg.query('SELECT * FROM persona.clusters ORDER BY cluster_id')).rows;
  const previous = h.service;
  const service = await h.restart();
  expect(previous.logs.map((line) => JSON.parse(line).msg)).toContain('stopped'); // SIGTERM ends it cleanly
  expect((await h.pg.query('SELECT * FROM persona.personas ORDER BY id')).rows).toEqual(before);
  expect((await h.pg.query('SELECT * FROM persona.clusters ORDER BY cluster_id')).rows).toEqual(clustersBefore);
  expect((await h.pg.query('SELECT count(*)::int AS n FROM persona._migrations')).rows[0].n).toBe(7);
  expect(seedingLine(service.logs).changed).toEqual({ clusters: 0, personas: 0 });
});

test('readiness checks NATS and Postgres, and metrics count logins and recommendations', async () => {
  const sessionId = randomUUID();
  await h.connect(sessionId); // the gateway holds its socket: the session is live
  await h.bus.request('login', { session_id: sessionId, persona_id: 6 });
  const base = `http://127.0.0.1:${h.service.ports.ops}`;
  const ready = await fetch(`${base}/readyz`);
  expect(ready.status).toBe(200);
  const report = (await ready.json()) as { dependencies: unknown };
  expect(report.dependencies).toEqual({ nats: { status: expect.stringMatching(/^up/) }, postgres: { status: 'up' } });
  const metrics = await (await fetch(`${base}/metrics`)).text();
  expect(metrics).toContain('chatbot_persona_logins_total{service="persona"} 1');
  expect(metrics).toContain('chatbot_persona_recommendations_total{trigger="login",cluster="4",service="persona"} 1');
  const loginTimings = metrics.split('\n').find((line) => line.startsWith('chatbot_persona_request_duration_seconds_count{'));
  expect(loginTimings).toMatch(/request="login"/);
  expect(loginTimings).toMatch(/outcome="ok".* 1$/);
});
