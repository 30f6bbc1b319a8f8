import { warningSummary, type LoggedService } from '@chatbot/testkit';
import type { BenchInfra } from '../infra';
import type { LoadPool, PoolResult } from '../loadgen/pool';
import type { RunCommand } from '../loadgen/protocol';
import type { Profile } from '../options';
import { makeRow, type Row, type RowInput } from '../report/rows';
import { summarise, type LatencySummary } from '../stats/histogram';
import { cpuWindow, type CpuReading, type Watched } from '../stats/proc';

/** What every scenario gets: the infrastructure, the profile, and where its figures go. */
export interface Context {
  infra: BenchInfra;
  profile: Profile;
  rows: Row[];
  /** Raw figures per measured load, written to the JSON file. */
  details: Record<string, unknown>;
  /** Figures shared between scenarios (the references measured once per run). */
  memo: Map<string, Measured>;
  /** Extra environment for service processes (the CPU profiler preload). */
  serviceEnv: Record<string, string>;
  /** Profiling: service processes get SIGUSR2 at the start and end of each measurement window. */
  profiling: boolean;
  /** Re-measurements of noisy windows still allowed in this run (scenarios/quiet.ts). */
  retries: { left: number };
  /** A unique run tag (NATS prefixes of the references). */
  runTag: string;
  /** A message-id prefix no other load of this run uses (message ids are keys in chat-log). */
  idPrefix(): string;
  log(message: string): void;
}

/** What the services of a stopped system warned about: printed, and kept in the JSON file. */
export function keepWarnings(ctx: Context, label: string, warnings: LoggedService[]): void {
  const lines = warnings.flatMap((service) => service.logs.map((line) => `${service.name}: ${line}`));
  if (lines.length === 0) return;
  ctx.log(`${label}: the services logged ${lines.length} warnings or errors:`);
  for (const line of warningSummary(warnings)) ctx.log(`  ${line}`);
  ctx.details[`${label} warnings`] = lines.slice(0, 50);
}

export const addRow = (ctx: Context, scenario: string, input: RowInput): void => {
  ctx.rows.push(makeRow(scenario, input));
};

/** One load measured: the merged generator result, its latency summary, CPU per process. */
export interface Measured {
  result: PoolResult;
  latency: LatencySummary;
  ttft: LatencySummary;
  cpu: CpuReading[];
  /** Server-side CPU seconds per completed round trip, in µs (load generators excluded). */
  cpuPerRoundTripUs: number;
}

/**
 * Runs the pools together: CPU is read over the measurement window only (after warm-up);
 * `during` runs alongside the window (samplers).
 */
export async function measure(
  pools: LoadPool[],
  servers: Watched[],
  command: Omit<RunCommand, 'type'>,
  during?: (windowMs: number) => Promise<unknown>,
  profiled: Watched[] = [],
): Promise<Measured[]> {
  const runs = Promise.all(pools.map((pool) => pool.run(command)));
  runs.catch(() => undefined);
  await sleep(command.warmupMs);
  const watched = [...servers, ...pools.flatMap((p) => p.watched())];
  const window = cpuWindow(watched.filter((w, i) => watched.findIndex((other) => other.pid === w.pid) === i));
  toggleProfilers(profiled);
  await Promise.all([sleep(command.measureMs), during?.(command.measureMs)]);
  toggleProfilers(profiled);
  const cpu = window.stop();
  const results = await runs;
  const serverNames = new Set(servers.map((s) => s.name));
  const serverCpuPercent = cpu.filter((c) => serverNames.has(c.name)).reduce((sum, c) => sum + c.cpuPercent, 0);
  return results.map((result) => ({
    result,
    latency: summarise(result.latency),
    ttft: summarise(result.ttft),
    cpu,
    cpuPerRoundTripUs: result.throughput > 0 ? ((serverCpuPercent / 100) * 1e6) / result.throughput : NaN,
  }));
}

/** Starts or ends a CPU profile in each process (the cpu-profiler preload's SIGUSR2). */
function toggleProfilers(processes: Watched[]): void {
  for (const { pid } of processes) {
    try {
      process.kill(pid, 'SIGUSR2');
    } catch {
      // gone: nothing to profile
    }
  }
}

/** The services of a system to profile in a window, when the run profiles at all. */
export const profiledOf = (ctx: Context, services: Watched[]): Watched[] => (ctx.profiling ? services : []);

/** The JSON form of a measurement (no histograms' buckets). */
export function detail(m: Measured): Record<string, unknown> {
  const { result } = m;
  return {
    throughput: result.throughput,
    charsPerSecond: result.charsPerSecond,
    latencyMs: m.latency,
    ttftMs: m.ttft,
    progressMs: Object.fromEntries([...result.marks].map(([name, h]) => [name, summarise(h)])),
    sent: result.sent,
    replied: result.replied,
    errors: result.errors,
    errorSamples: result.errorSamples,
    slowReplies: result.slowReplies,
    slowSamples: result.slowSamples,
    connectFailures: result.connectFailures,
    sessions: result.sessions.length,
    windowMs: result.windowMs,
    cpu: m.cpu,
    cpuPerRoundTripUs: m.cpuPerRoundTripUs,
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
