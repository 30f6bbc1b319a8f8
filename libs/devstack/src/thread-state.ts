import { readdir, readFile } from 'node:fs/promises';

/** Thread states (proc(5)) in which a thread runs no more code: stopped, traced, exiting. */
const HALTED = new Set(['T', 't', 'Z', 'X']);

/** The state letter of /proc/<pid>/task/<tid>/stat: after the command name, which may hold ')'. */
function stateOf(stat: string): string {
  const end = stat.lastIndexOf(')');
  return stat.slice(end + 2, end + 3);
}

/**
 * True when every thread of `pid` is halted, false while one still runs or waits to, undefined
 * when /proc cannot tell (no procfs, or the process is gone). A thread gone between the listing
 * and its read runs no more code.
 */
export async function allThreadsStopped(pid: number): Promise<boolean | undefined> {
  let threads: string[];
  try {
    threads = await readdir(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  for (const tid of threads) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => '');
    if (stat && !HALTED.has(stateOf(stat))) return false;
  }
  return true;
}
