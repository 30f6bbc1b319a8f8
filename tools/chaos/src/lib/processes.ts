import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Every process the chaos tool starts (services, nats-server, postgres) inherits CHAOS_RUN from
 * this process's environment. They run in their own process groups and would outlive a runner
 * that crashed or was interrupted; `killTagged` finds them by that tag and ends them by pid.
 */
export function tagRun(): string {
  process.env.CHAOS_RUN ??= `chaos-${process.pid}-${randomBytes(4).toString('hex')}`;
  return process.env.CHAOS_RUN;
}

/** Pids of processes (other than this one) whose environment holds `NAME=value`. */
export function processesWithEnv(entry: string): number[] {
  return readdirSync('/proc').flatMap((name) => {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) return [];
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry) ? [pid] : [];
    } catch {
      return [];
    }
  });
}

/** SIGCONT (a paused process cannot die) then SIGKILL to every process tagged with this run. */
export function killTagged(): number {
  const tag = process.env.CHAOS_RUN;
  if (!tag) return 0;
  const pids = processesWithEnv(`CHAOS_RUN=${tag}`);
  for (const pid of pids) {
    for (const signal of ['SIGCONT', 'SIGKILL'] as const) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  }
  return pids.length;
}
