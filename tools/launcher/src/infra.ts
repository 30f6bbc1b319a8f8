import { join } from 'node:path';
import { freePort, postgresUrl, startLocalNats, startLocalPostgres, type LocalServer, type Teardown } from '@chatbot/devstack';
import type { Output } from './output';

export interface Endpoints {
  natsUrl: string;
  databaseUrl: string;
  /** Servers this launcher started (none when URLs were given). */
  servers: LocalServer[];
}

/**
 * NATS_URL / DATABASE_URL when given; otherwise a private nats-server and an embedded Postgres
 * whose data live under `dataDir`, so a second start finds the first one's data. Their ports are
 * chosen once, so a restarted server comes back where the services look for it. Each server is
 * added to `teardown` as soon as it runs: a failure later stops it.
 */
export async function startInfrastructure(dataDir: string, out: Output, teardown: Teardown): Promise<Endpoints> {
  const servers: LocalServer[] = [];
  const supervised = { restart: true, onLine: out.child, onExit: exitPrinter(out) };
  let natsUrl = process.env.NATS_URL;
  if (!natsUrl) {
    out.step('starting NATS…');
    const nats = await startLocalNats({ ...supervised, dataDir: join(dataDir, 'nats'), port: await freePort() });
    teardown.add('nats-server', nats.stop);
    servers.push(nats);
    natsUrl = nats.url;
    out.say(`nats-server ready on ${nats.url} (pid ${nats.pid})`);
  }
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    out.step('starting Postgres…');
    const wanted = join(dataDir, 'postgres');
    const pg = await startLocalPostgres({ ...supervised, dataDir: wanted, port: await freePort() });
    teardown.add('postgres', pg.stop);
    servers.push(pg);
    databaseUrl = postgresUrl(pg.port, 'chatbot');
    out.say(`postgres ready on 127.0.0.1:${pg.port} (pid ${pg.pid})`);
    if (pg.dataDir !== wanted) {
      out.say(`the postgres user cannot reach ${wanted}, so the data live in ${pg.dataDir}`, { dataDir: pg.dataDir }, 'warn');
    }
  }
  return { natsUrl, databaseUrl, servers };
}

export function exitPrinter(out: Output) {
  return (name: string, code: number | null, signal: NodeJS.Signals | null) =>
    out.child(name, `exited (${signal ?? `code ${code}`})`);
}
