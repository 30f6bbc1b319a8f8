import { startPrivateNats, startPrivatePostgres, type PrivateServer } from '@chatbot/testkit';
import type { Servers } from '../scenarios/types';

export interface ProvidedServers {
  servers: Servers;
  source: string;
  close(): Promise<void>;
}

/**
 * The servers scenarios share: the jest global setup's (TEST_NATS_URL / TEST_DATABASE_URL)
 * when present, else a private nats-server and Postgres for this run. Scenarios that crash NATS
 * or Postgres start their own on top (see startPrivateNats / startPrivatePostgres).
 */
export async function provideServers(): Promise<ProvidedServers> {
  const { TEST_NATS_URL, TEST_DATABASE_URL } = process.env;
  if (TEST_NATS_URL && TEST_DATABASE_URL) {
    return { servers: { natsUrl: TEST_NATS_URL, adminUrl: TEST_DATABASE_URL }, source: 'jest global setup', close: async () => {} };
  }
  const started: PrivateServer[] = [];
  try {
    started.push(await startPrivateNats());
    started.push(await startPrivatePostgres());
  } catch (error) {
    await Promise.all(started.map((s) => s.destroy()));
    throw error;
  }
  const [nats, pg] = started;
  return {
    servers: { natsUrl: nats.url, adminUrl: pg.url },
    source: `private nats-server ${nats.url}, embedded Postgres :${pg.port}`,
    close: async () => void (await Promise.all(started.map((s) => s.destroy()))),
  };
}
