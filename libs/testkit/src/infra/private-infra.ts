import { freePort, startLocalNats, startLocalPostgres, type LocalServer, type ManagedProcess } from '@chatbot/devstack';

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
  return privateServer(await startLocalNats({ port: await freePort() }));
}

/**
 * An embedded Postgres on a fixed loopback port. `kill('SIGINT')` is `pg_ctl stop -m fast`
 * (the postmaster ends every session and checkpoints); `kill('SIGQUIT')` is `-m immediate`, a
 * crash whose WAL is replayed at the next start. Avoid SIGKILL here: it ends only the
 * postmaster, and its orphaned backends keep the shared memory a new postmaster needs.
 */
export async function startPrivatePostgres(): Promise<PrivateServer> {
  return privateServer(await startLocalPostgres({ port: await freePort() }));
}

/** The devstack server, with the crash and restart a test needs; destroy() also deletes its data. */
function privateServer(local: LocalServer): PrivateServer {
  const server = local.process;
  return {
    url: local.url,
    port: local.port,
    dataDir: local.dataDir,
    process: server,
    async kill(signal = 'SIGKILL') {
      const pid = server.pid;
      server.kill(signal);
      await waitForExit(server, pid);
    },
    start: () => server.start(),
    destroy: () => local.stop(),
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
