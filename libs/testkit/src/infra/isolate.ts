import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

/** One test file's private slice of the shared infrastructure. */
export interface TestEnv {
  natsUrl: string;
  /** A database of its own, created empty. */
  databaseUrl: string;
  /** NATS_PREFIX for every service the file starts: its own subjects and streams. */
  prefix: string;
  /** The variables to give a service process. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the tests through jest with the testkit global setup (npm test)`);
  }
  return value;
}

export async function isolate(): Promise<TestEnv> {
  return isolateOn(required('TEST_NATS_URL'), required('TEST_DATABASE_URL'));
}

/** The same slice on given servers (a private NATS or Postgres a test may crash, say). */
export async function isolateOn(natsUrl: string, adminUrl: string): Promise<TestEnv> {
  const id = randomBytes(5).toString('hex');
  const prefix = `t${id}`;
  const dbName = `test_${id}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${dbName}`));
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  return {
    natsUrl,
    databaseUrl,
    prefix,
    env: { NATS_URL: natsUrl, DATABASE_URL: databaseUrl, NATS_PREFIX: prefix, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info' },
    async cleanup() {
      await deleteStreams(natsUrl, prefix);
      await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function deleteStreams(natsUrl: string, prefix: string) {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const head = `${prefix.toUpperCase()}_`;
    for await (const name of jsm.streams.names()) {
      // streams, and the streams behind key-value buckets (KV_<bucket>)
      if (name.startsWith(head) || name.startsWith(`KV_${head}`)) await jsm.streams.delete(name);
    }
  } finally {
    await nc.close();
  }
}
