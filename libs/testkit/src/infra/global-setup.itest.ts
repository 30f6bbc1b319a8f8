import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isAlive } from '@chatbot/devstack';

/**
 * The jest global setup when the second piece cannot start: nats-server is up, then Postgres
 * fails (its binaries are missing). The run must fail saying why, and the nats-server it had
 * started must not outlive it (it runs in its own process group, so nothing else would stop it).
 */
const globalSetup = resolve(__dirname, '..', '..', 'dist', 'infra', 'global-setup.js');

function runGlobalSetup(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const script = `require(${JSON.stringify(globalSetup)}).default().then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); })`;
  const child = spawn(process.execPath, ['-e', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((done) => child.once('close', (code) => done({ code, output })));
}

let empty: string;
beforeAll(async () => {
  empty = await mkdtemp(join(tmpdir(), 'chatbot-no-postgres-'));
});
afterAll(() => rm(empty, { recursive: true, force: true }));

test('when Postgres cannot start, the nats-server already started is stopped and the run fails saying why', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, TEST_CONTAINERS: 'off', POSTGRES_BIN_DIR: empty };
  delete env.NATS_URL;
  delete env.DATABASE_URL;
  const { code, output } = await runGlobalSetup(env);
  expect(code).toBe(1);
  expect(output).toContain(`no PostgreSQL binaries in ${empty}`);
  const started = output.match(/local nats-server started \(pid (\d+)\)/);
  expect(started).not.toBeNull();
  const pid = Number(started![1]);
  const orphaned = isAlive(pid);
  if (orphaned) process.kill(pid, 'SIGKILL'); // this test leaves nothing behind either way
  expect(orphaned).toBe(false);
}, 60_000);
