import { execFileSync, spawnSync } from 'node:child_process';

/** The user a child runs as: the caller's own (both undefined) or the `postgres` user's ids. */
export interface RunAs {
  uid?: number;
  gid?: number;
}

/** Postgres refuses to run as root: use (or create) the `postgres` user then. */
export function postgresUser(): RunAs {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/**
 * Whether `user` can run `binary`: tried for real (`--version`), since folder modes, ACLs and
 * mount options all have their say. The working folder is `/`, which every user may enter.
 */
export function canRun(binary: string, user: RunAs): boolean {
  const result = spawnSync(binary, ['--version'], { ...user, cwd: '/', stdio: 'ignore', timeout: 10_000 });
  return result.status === 0;
}

/** Whether `user` can enter and write `folder` (every folder above it must let that user through). */
export function canWriteFolder(folder: string, user: RunAs): boolean {
  const test = spawnSync('/bin/sh', ['-c', 'test -d "$1" && test -w "$1" && test -x "$1"', 'sh', folder], {
    ...user,
    cwd: '/',
    stdio: 'ignore',
    timeout: 10_000,
  });
  return test.status === 0;
}
