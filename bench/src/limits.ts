import { execFileSync } from 'node:child_process';
import { openFilesLimit } from './machine';

/**
 * 20,000 sessions need about 20,000 descriptors in the gateway alone (one socket each); this
 * machine's default limit is 20,000. Children inherit the limit, so the harness raises its own
 * (prlimit; allowed for root or with CAP_SYS_RESOURCE) and says so when it cannot.
 */
export function raiseOpenFilesLimit(wanted: number): string {
  const [soft] = openFilesLimit();
  if (soft === 'unlimited' || Number(soft) >= wanted) return `open files limit ${soft} (enough)`;
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${wanted}:${wanted}`], { stdio: 'ignore' });
    return `open files limit raised from ${soft} to ${openFilesLimit()[0]}`;
  } catch {
    return `open files limit ${soft}: raising it to ${wanted} is not permitted here (needs CAP_SYS_RESOURCE, or \`ulimit -n ${wanted}\` before the run); connection counts are capped below it`;
  }
}

/** The most sockets one server process can hold here: the limit less a margin for its other files. */
export function socketCeiling(): number {
  const [soft] = openFilesLimit();
  return soft === 'unlimited' ? Infinity : Number(soft) - 250;
}
