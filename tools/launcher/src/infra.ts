import { join } from 'node:path';
import {
  freePort,
  ManagedProcess,
  natsServerSpec,
  postgresSpec,
  postgresUrl,
  type ProcessSpec,
} from '@chatbot/devstack';

export interface Endpoints {
  natsUrl: string;
  databaseUrl: string;
  /** Supervised infrastructure processes this launcher started (none when URLs were given). */
  processes: ManagedProcess[];
}

type Printer = (name: string, line: string) => void;

/**
 * NATS_URL / DATABASE_URL when given; otherwise a private nats-server and an embedded Postgres
 * whose data live under `dataDir`, so a second start finds the first one's data. Their ports are
 * chosen once, so a restarted server comes back where the services look for it.
 */
export async function startInfrastructure(dataDir: string, print: Printer): Promise<Endpoints> {
  const processes: ManagedProcess[] = [];
  let natsUrl = process.env.NATS_URL;
  if (!natsUrl) {
    const port = await freePort();
    const spec = await natsServerSpec({ dataDir: join(dataDir, 'nats'), port });
    processes.push(await supervise(spec, print));
    natsUrl = `nats://127.0.0.1:${port}`;
  }
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const port = await freePort();
    const spec = await postgresSpec({ dataDir: join(dataDir, 'postgres'), port });
    processes.push(await supervise(spec, print));
    databaseUrl = postgresUrl(port, 'chatbot');
  }
  return { natsUrl, databaseUrl, processes };
}

async function supervise(spec: ProcessSpec, print: Printer): Promise<ManagedProcess> {
  const proc = new ManagedProcess({ ...spec, restart: true, onLine: print, onExit: exitPrinter(print) });
  await proc.start();
  print(spec.name, `started (pid ${proc.pid})`);
  return proc;
}

export function exitPrinter(print: Printer) {
  return (name: string, code: number | null, signal: NodeJS.Signals | null) =>
    print(name, `exited (${signal ?? `code ${code}`})`);
}
