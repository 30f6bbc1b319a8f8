import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

/** What the figures were measured on. */
export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  node: string;
  kernel: string;
  openFilesLimit: string;
  /** The commit measured, `+dirty` when the working tree had changes. */
  commit: string;
}

export function describeMachine(): Machine {
  const list = cpus();
  return {
    cpuModel: list[0]?.model ?? 'unknown',
    cores: list.length,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: release(),
    openFilesLimit: openFilesLimit().join('/'),
    commit: commitOf(),
  };
}

function commitOf(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain') ? '+dirty' : ''}`;
  } catch {
    return 'unknown';
  }
}

/** Soft and hard RLIMIT_NOFILE of this process. */
export function openFilesLimit(): [string, string] {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft = '?', hard = '?'] = line?.split(/\s{2,}/).slice(1, 3) ?? [];
  return [soft, hard];
}
