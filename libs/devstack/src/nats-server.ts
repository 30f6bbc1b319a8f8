import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { ProcessSpec } from './managed-process';

const INSTALL_HINT =
  'nats-server was not found. Install it (Debian/Ubuntu: `apt-get install nats-server`; ' +
  'others: https://docs.nats.io/running-a-nats-service/introduction/installation), put it on PATH ' +
  'or set NATS_SERVER_BIN, or set NATS_URL to a running server with JetStream enabled.';

/** Finds the nats-server binary: NATS_SERVER_BIN, then PATH, then the usual system folders. */
export function findNatsServer(): string {
  const candidates = [
    process.env.NATS_SERVER_BIN,
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'nats-server')),
    '/usr/sbin/nats-server',
    '/usr/local/bin/nats-server',
  ].filter((c): c is string => Boolean(c));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(INSTALL_HINT);
  return found;
}

export interface NatsServerOptions {
  dataDir: string;
  /** 0 picks a free port (read back from the ports file). */
  port: number;
  monitorPort?: number;
}

/**
 * The spec of a private JetStream-enabled nats-server on loopback; `-1` ports are chosen by the
 * server and written to `--ports_file_dir`, which `readNatsPorts` reads back.
 */
export async function natsServerSpec(options: NatsServerOptions): Promise<ProcessSpec> {
  await mkdir(options.dataDir, { recursive: true });
  const args = [
    '-js',
    '-a', '127.0.0.1',
    '-p', String(options.port || -1),
    '-m', String(options.monitorPort ?? -1),
    '-sd', options.dataDir,
    '--ports_file_dir', options.dataDir,
  ];
  return {
    name: 'nats-server',
    command: findNatsServer(),
    args,
    isReady: (line) => line.includes('Server is ready'),
    restart: false,
    // SIGINT and SIGTERM both shut the server down cleanly; only SIGINT then exits with code 0.
    stopSignal: 'SIGINT',
  };
}

export interface NatsPorts {
  url: string;
  monitorUrl?: string;
}

/**
 * Reads the ports file nats-server wrote for the given pid. The server may log "ready" a moment
 * before the file is written, so it is polled for up to two seconds.
 */
export async function readNatsPorts(dataDir: string, pid: number): Promise<NatsPorts> {
  const name = `nats-server_${pid}.ports`;
  for (let attempt = 0; attempt < 40; attempt++) {
    if ((await readdir(dataDir)).includes(name)) {
      const text = await readFile(join(dataDir, name), 'utf8');
      if (text.trim()) {
        const ports = JSON.parse(text) as { nats: string[]; monitoring?: string[] };
        return { url: ports.nats[0], monitorUrl: ports.monitoring?.[0] };
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nats-server ports file ${name} not found in ${dataDir}`);
}
