import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ManagedProcess, natsServerSpec, postgresSpec, postgresUrl } from '@chatbot/devstack';

/**
 * A NATS or Postgres server owned by one test, so the test may crash it (kill -9), stop it and
 * start it again: same port, same data folder, so clients reconnect to what they knew and the
 * server recovers its own files, as after a real crash. The shared servers of the jest global
 * setup must never be faulted; these exist for that.
 */
export interface PrivateServer {
  /** Client URL: `nats://…` or the superuser `postgresql://…/postgres`. */
  url: string;
  port: number;
  dataDir: string;
  process: ManagedProcess;
  /** Crashes it (SIGKILL, or another signal) and waits until the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again over the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it for good and deletes its data. */
  destroy(): Promise<void>;
}

const EXIT_WAIT_MS = 30_000;

/** A JetStream nats-server on a fixed loopback port with its store in a temporary folder. */
export async function startPrivateNats(): Promise<PrivateServer> {
  const root = await mkdtemp(join(tmpdir(), 'chatbot-private-nats-'));
  const port = await freePort();
  const server = new ManagedProcess(await natsServerSpec({ dataDir: root, port }));
  await server.start();
  return privateServer({ url: `nats://127.0.0.1:${port}`, port, dataDir: root, root, server, stopSignal: 'SIGTERM' });
}

/**
 * An embedded Postgres on a fixed loopback port. `kill('SIGINT')` is `pg_ctl stop -m fast`
 * (the postmaster ends every session and checkpoints); `kill('SIGQUIT')` is `-m immediate`, a
 * crash whose WAL is replayed at the next start. Avoid SIGKILL here: it ends only the
 * postmaster, and its orphaned backends keep the shared memory a new postmaster needs.
 */
export async function startPrivatePostgres(): Promise<PrivateServer> {
  const root = await mkdtemp(join(tmpdir(), 'chatbot-private-pg-'));
  const port = await freePort();
  const spec = await postgresSpec({ dataDir: join(root, 'data'), port });
  const server = new ManagedProcess(spec);
  await server.start();
  return privateServer({ url: postgresUrl(port), port, dataDir: spec.dataDir, root, server, stopSignal: 'SIGINT' });
}

interface Parts {
  url: string;
  port: number;
  dataDir: string;
  root: string;
  server: ManagedProcess;
  stopSignal: NodeJS.Signals;
}

function privateServer({ url, port, dataDir, root, server, stopSignal }: Parts): PrivateServer {
  return {
    url,
    port,
    dataDir,
    process: server,
    async kill(signal = 'SIGKILL') {
      const pid = server.pid;
      server.kill(signal);
      await waitForExit(server, pid);
    },
    start: () => server.start(),
    async destroy() {
      await server.stop(stopSignal, EXIT_WAIT_MS);
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** ManagedProcess forgets its child on exit; wait for that, bounded. */
async function waitForExit(server: ManagedProcess, pid: number | undefined): Promise<void> {
  const deadline = Date.now() + EXIT_WAIT_MS;
  while (pid !== undefined && server.pid === pid) {
    if (Date.now() > deadline) throw new Error(`${server.spec.name} (pid ${pid}) did not exit within ${EXIT_WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
