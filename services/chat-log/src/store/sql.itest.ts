import path from 'node:path';
import { createLogger } from '@chatbot/runtime';
import { migrate } from '@chatbot/store';
import { isolate, type TestEnv } from '@chatbot/testkit';
import { createDb, DB_SCHEMA, type Db } from './database';
import { RELEASED_COLUMNS } from '../frames/frame.mapper';
import { Prisma } from '../generated/prisma/client';
import { transaction } from './sql';

const dir = path.join(__dirname, '..', '..', 'prisma', 'migrations');
let env: TestEnv;
let db: Db;
const session = '6a3c1f0e-5b4d-4c7a-9e21-0d8f6b2a7c41';

beforeAll(async () => {
  env = await isolate();
  await migrate({ databaseUrl: env.databaseUrl, schema: DB_SCHEMA, dir, logger: createLogger('chat-log-sql-test', 'silent') });
  db = createDb(env.databaseUrl, 2);
});
afterAll(async () => {
  await db?.$disconnect();
  await env?.cleanup();
});
beforeEach(() => db.$executeRaw`TRUNCATE chat_log.sessions CASCADE`);

const sessions = async () => (await db.$queryRaw<Array<{ id: string }>>`SELECT id::text FROM chat_log.sessions`).map((r) => r.id);

test('values become parameters, arrays included, and a raw fragment is spliced in as SQL', async () => {
  const { sql } = db;
  expect(await sql.execute`INSERT INTO chat_log.sessions (id, next_turn) SELECT unnest(${[session]}::uuid[]), ${3}::int`).toBe(1);
  const rows = await sql.query<Array<{ id: string; next_turn: number; quote: string }>>`
    SELECT id::text, next_turn, ${"it's"}::text AS quote FROM chat_log.sessions WHERE id = ${session}::uuid`;
  expect(rows).toEqual([{ id: session, next_turn: 3, quote: "it's" }]);
  // RELEASED_COLUMNS names the columns of `r`: the statement only runs when it is spliced as SQL.
  await expect(sql.query`SELECT ${RELEASED_COLUMNS} FROM chat_log.replies r WHERE r.session_id = ${session}::uuid`).resolves.toEqual([]);
});

test('a batch is one transaction whose statements see each other, with every kind of value written in intact', async () => {
  const awkward = ["it's", 'back\\slash', 'a "quote"', 'E\'x\'', '{,}', 'NULL', '한국어', '$1'];
  const [, rows, counted] = await transaction(db.pool, (tx) =>
    tx.batch([
      Prisma.sql`INSERT INTO chat_log.sessions (id, next_turn) VALUES (${session}::uuid, ${7}::int)`,
      Prisma.sql`SELECT ${awkward}::text[] AS texts, ${[1, null, 3]}::int[] AS ints, ${JSON.stringify({ q: "x'\\y" })}::jsonb AS doc,
        ${new Date('2026-12-08T00:00:00Z')}::timestamptz AS at, ${true} AS yes, ${null}::text AS nothing, ${-2}::int AS minus`,
      Prisma.sql`SELECT next_turn FROM chat_log.sessions WHERE id = ${session}::uuid`,
    ], { commit: true }));
  expect(rows).toEqual([{ texts: awkward, ints: [1, null, 3], doc: { q: "x'\\y" }, at: new Date('2026-12-08T00:00:00Z'), yes: true, nothing: null, minus: -2 }]);
  expect(counted).toEqual([{ next_turn: 7 }]);
  expect(await sessions()).toEqual([session]);
});

test('a batch that fails rolls back the whole transaction, earlier batches included', async () => {
  const other = '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';
  await db.sql.execute`INSERT INTO chat_log.sessions (id) VALUES (${session}::uuid)`;
  const failing = transaction(db.pool, async (tx) => {
    await tx.batch([Prisma.sql`INSERT INTO chat_log.sessions (id) VALUES (${other}::uuid)`]);
    await tx.batch([Prisma.sql`INSERT INTO chat_log.sessions (id) VALUES (${session}::uuid)`], { commit: true }); // duplicate key
  });
  await expect(failing).rejects.toThrow(/duplicate key/);
  expect(await sessions()).toEqual([session]);
  await expect(transaction(db.pool, (tx) => tx.query<Array<{ one: number }>>`SELECT 1 AS one`)).resolves.toEqual([{ one: 1 }]);
});

test('a named statement is prepared once per connection and answers for its values on every run', async () => {
  const ids = Array.from({ length: 8 }, (_, i) => `6a3c1f0e-5b4d-4c7a-9e21-0d8f6b2a7c${String(i).padStart(2, '0')}`);
  await db.sql.execute`INSERT INTO chat_log.sessions (id, next_turn) SELECT id, n FROM unnest(${ids}::uuid[], ${ids.map((_, i) => i + 1)}::int[]) AS u(id, n)`;
  await transaction(db.pool, async (tx) => {
    // More runs than Postgres' five plans made for the values, after which it may keep a generic one.
    for (const [i, id] of ids.entries()) {
      const rows = await tx.named('session_turn').query<Array<{ next_turn: number }>>`SELECT next_turn FROM chat_log.sessions WHERE id = ${id}::uuid`;
      expect(rows).toEqual([{ next_turn: i + 1 }]);
    }
    const prepared = await tx.query<Array<{ name: string }>>`SELECT name FROM pg_prepared_statements`;
    expect(prepared.map((p) => p.name)).toEqual(['session_turn']);
  });
});

test('a transaction commits what its work wrote, and rolls all of it back when the work throws', async () => {
  await transaction(db.pool, (tx) => tx.execute`INSERT INTO chat_log.sessions (id) VALUES (${session}::uuid)`);
  expect(await sessions()).toEqual([session]);
  const other = '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';
  const failing = transaction(db.pool, async (tx) => {
    await tx.execute`INSERT INTO chat_log.sessions (id) VALUES (${other}::uuid)`;
    await tx.execute`INSERT INTO chat_log.sessions (id) VALUES (${session}::uuid)`; // duplicate key
  });
  await expect(failing).rejects.toThrow(/duplicate key/);
  expect(await sessions()).toEqual([session]);
});

test('a transaction over its time limit fails, is rolled back, and leaves the pool usable', async () => {
  const slow = transaction(
    db.pool,
    async (tx) => {
      await tx.execute`INSERT INTO chat_log.sessions (id) VALUES (${session}::uuid)`;
      await tx.query`SELECT pg_sleep(5)`;
    },
    300,
  );
  // Failed by the timer, not by the work: pg_sleep(5) still runs on the closed connection's backend.
  await expect(slow).rejects.toThrow('transaction exceeded 300 ms');
  const other = '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';
  await transaction(db.pool, (tx) => tx.execute`INSERT INTO chat_log.sessions (id) VALUES (${other}::uuid)`);
  expect(await sessions()).toEqual([other]);
  // Postgres notices the closed connection only once the sleep ends; end it now (it holds a lock).
  await db.$queryRaw`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(5)'`;
});

test('a connection Postgres terminates mid-transaction fails that transaction only', async () => {
  const doomed = transaction(db.pool, async (tx) => {
    const [{ pid }] = await tx.query<Array<{ pid: number }>>`SELECT pg_backend_pid() AS pid`;
    await db.$queryRaw`SELECT pg_terminate_backend(${pid}::int)`;
    await tx.execute`INSERT INTO chat_log.sessions (id) VALUES (${session}::uuid)`;
  });
  await expect(doomed).rejects.toThrow();
  await transaction(db.pool, (tx) => tx.execute`INSERT INTO chat_log.sessions (id) VALUES (${session}::uuid)`);
  expect(await sessions()).toEqual([session]);
});

test('waiting longer than the pool\'s connectWaitMs for a connection fails, and the connection goes back later', async () => {
  const small = createDb(env.databaseUrl, 2, 200);
  try {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The pool has two connections: hold both.
    const holders = [0, 1].map(() => transaction(small.pool, () => held));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(transaction(small.pool, (tx) => tx.query`SELECT 1`, 1_000)).rejects.toThrow(/timeout exceeded when trying to connect/);
    release();
    await Promise.all(holders);
    await expect(transaction(small.pool, (tx) => tx.query<Array<{ one: number }>>`SELECT 1 AS one`)).resolves.toEqual([{ one: 1 }]);
  } finally {
    await small.$disconnect();
  }
});
