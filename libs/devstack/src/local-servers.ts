import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { ManagedProcess, type ProcessSpec } from './managed-process';
import { natsServerSpec, readNatsPorts } from './nats-server';
import { postgresSpec, postgresUrl } from './postgres';

/**
 * A nats-server or Postgres this process started on loopback. Every harness (npm start, the jest
 * global setup, bench, chaos) starts its servers through these two functions.
 */
export interface LocalServer {
  name: 'nats-server' | 'postgres';
  /** `nats://…`, or the superuser URL of database `postgres`. */
  url: string;
  port: number;
  /** The data folder the server really uses (Postgres may move it, see postgresSpec). */
  dataDir: string;
  process: ManagedProcess;
  pid: number;
  /** Stops it for good; a temporary data folder is deleted. */
  stop(): Promise<void>;
}

export interface LocalServerOptions {
  /** Kept across runs when given; otherwise a temporary folder, deleted at stop. */
  dataDir?: string;
  /** Fixed, so a restarted server comes back where clients look; a free one by default. */
  port?: number;
  /** Supervise: restart with backoff when it dies (npm start). */
  restart?: boolean;
  onLine?: ProcessSpec['onLine'];
  onExit?: ProcessSpec['onExit'];
}

/** A JetStream nats-server. Without a port, the server picks one and writes it to its ports file. */
export async function startLocalNats(options: LocalServerOptions = {}): Promise<LocalServer> {
  return startServer('nats-server', options, async (dataDir) => {
    const spec = await natsServerSpec({ dataDir, port: options.port ?? 0 });
    return { spec, dataDir, url: (pid) => (options.port ? `nats://127.0.0.1:${options.port}` : readNatsPorts(dataDir, pid).then((p) => p.url)) };
  });
}

/** An embedded Postgres (see postgresSpec: initialised on first use, run as `postgres` under root). */
export async function startLocalPostgres(options: LocalServerOptions = {}): Promise<LocalServer> {
  const port = options.port ?? (await freePort());
  return startServer('postgres', { ...options, port }, async (dataDir) => {
    const spec = await postgresSpec({ dataDir: options.dataDir ?? join(dataDir, 'data'), port });
    return { spec, dataDir: spec.dataDir, url: () => postgresUrl(port) };
  });
}

interface Planned {
  spec: ProcessSpec;
  dataDir: string;
  url: (pid: number) => string | Promise<string>;
}

async function startServer(
  name: LocalServer['name'],
  options: LocalServerOptions,
  plan: (dataDir: string) => Promise<Planned>,
): Promise<LocalServer> {
  const temporary = options.dataDir ? undefined : await mkdtemp(join(tmpdir(), `chatbot-${name}-`));
  const removeTemporary = () => (temporary ? rm(temporary, { recursive: true, force: true }) : Promise.resolve());
  try {
    const planned = await plan(options.dataDir ?? temporary!);
    const server = new ManagedProcess({ ...planned.spec, restart: options.restart ?? false, onLine: options.onLine, onExit: options.onExit });
    await server.start(); // a server that does not get ready is stopped by start()
    const pid = server.pid!;
    const url = await Promise.resolve(planned.url(pid)).catch(async (error: unknown) => {
      await server.stop();
      throw error;
    });
    return {
      name,
      url,
      port: Number(new URL(url).port),
      dataDir: planned.dataDir,
      process: server,
      pid,
      async stop() {
        await server.stop();
        await removeTemporary();
      },
    };
  } catch (error) {
    await removeTemporary();
    throw error;
  }
}
