import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/**
 * CPU and memory of processes, read from /proc (Linux). CPU is utime + stime in clock ticks; a
 * process tree (Postgres: the postmaster and its backends) is summed over its live members.
 */
const TICKS_PER_SECOND = clockTicks();

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
}

interface StatFields {
  ppid: number;
  ticks: number;
}

function readStat(pid: number): StatFields | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: parse after its last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After the name: state(0) ppid(1) … utime(11) stime(12).
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** The pid and every live descendant (children of children included). */
export function processTree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    const siblings = parents.get(stat.ppid) ?? [];
    siblings.push(pid);
    parents.set(stat.ppid, siblings);
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(parents.get(pid) ?? []));
  }
  return tree;
}

/** Clock ticks used so far by a process, or by each live member of its tree. */
function ticksByPid(pid: number, tree = false): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const member of tree ? processTree(pid) : [pid]) {
    const stat = readStat(member);
    if (stat) ticks.set(member, stat.ticks);
  }
  return ticks;
}

/**
 * CPU seconds between two readings: members that appeared count from zero, members that exited
 * (a Postgres backend closing) are left out, so a tree's figure never goes negative.
 */
function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, now] of after) ticks += now - (before.get(pid) ?? 0);
  return ticks / TICKS_PER_SECOND;
}

/** Resident set size in bytes (VmRSS), or NaN once the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** A process the harness watches: a name for the report, its pid, and whether to sum its tree. */
export interface Watched {
  name: string;
  pid: number;
  tree?: boolean;
}

export interface CpuReading {
  name: string;
  /** Share of one core over the window, in percent (200 % = both cores of this machine). */
  cpuPercent: number;
  rssMb: number;
}

/** CPU seconds the whole machine spent busy (every core; /proc/stat less idle and iowait). */
function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - fields[3]! - fields[4]!) / TICKS_PER_SECOND;
}

/** The name of the reading for CPU used by processes the bench did not start (a shared machine). */
export const OUTSIDE = 'other (kernel, other programs)';

/**
 * Starts a CPU window over the given processes; `stop()` returns each one's average use, plus
 * the harness itself and what the rest of the machine used meanwhile (`OUTSIDE`), so a noisy
 * neighbour shows up in the results.
 */
export function cpuWindow(watched: Watched[]): { stop(): CpuReading[] } {
  const all = [...watched, { name: 'harness', pid: process.pid }];
  const startedAt = process.hrtime.bigint();
  const machineBefore = machineBusySeconds();
  const before = all.map((w) => ticksByPid(w.pid, w.tree));
  return {
    stop() {
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      const readings = all.map((w, i) => ({
        name: w.name,
        cpuPercent: (cpuBetween(before[i]!, ticksByPid(w.pid, w.tree)) / seconds) * 100,
        rssMb: (w.tree ? processTree(w.pid) : [w.pid]).reduce((sum, pid) => sum + (rssBytes(pid) || 0), 0) / 2 ** 20,
      }));
      const machine = ((machineBusySeconds() - machineBefore) / seconds) * 100;
      const ours = readings.reduce((sum, r) => sum + r.cpuPercent, 0);
      readings.push({ name: OUTSIDE, cpuPercent: Math.max(0, machine - ours), rssMb: NaN });
      return readings;
    },
  };
}
