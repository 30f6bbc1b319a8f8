import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { startInfra, type InfraUrls } from './infra';
import { describeMachine, type Machine } from './machine';
import { distScript } from './paths';
import type { Profile, ScenarioName } from './options';
import type { Row } from './report/rows';
import { runCacheHit } from './scenarios/cache-hit';
import type { Context, Measured } from './scenarios/context';
import { runConnections } from './scenarios/connections';
import { runLlm } from './scenarios/llm';
import { RETRY_BUDGET } from './scenarios/quiet';
import { runQuietMessage } from './scenarios/quiet-message';
import { runReferences } from './scenarios/reference';

export interface BenchOptions {
  profile: Profile;
  only: ScenarioName[];
  infra?: InfraUrls;
  cpuProfDir?: string;
  /** Noisy windows measured again per run (default RETRY_BUDGET; 0 for smoke tests). */
  retries?: number;
  log?: (message: string) => void;
}

export interface BenchResult {
  machine: Machine;
  startedAt: string;
  durationSeconds: number;
  profile: Profile;
  scenarios: ScenarioName[];
  infrastructure: string;
  rows: Row[];
  details: Record<string, unknown>;
}

/** Cache-hit runs first, so its references are measured right before it at each client count. */
const ORDER: Array<[ScenarioName[], (ctx: Context) => Promise<void>]> = [
  [['cache-hit', 'persistence'], runCacheHit],
  [['reference'], runReferences],
  [['quiet-message'], runQuietMessage],
  [['llm'], runLlm],
  [['connections'], runConnections],
];

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const infra = await startInfra(options.infra);
  log(`infrastructure: ${infra.source}`);
  const serviceEnv: Record<string, string> = {};
  if (options.cpuProfDir) {
    mkdirSync(options.cpuProfDir, { recursive: true });
    serviceEnv.NODE_OPTIONS = `--require ${distScript('cpu-profiler.js')}`;
    serviceEnv.BENCH_CPU_PROF_DIR = options.cpuProfDir;
  }
  const runTag = randomBytes(3).toString('hex');
  let loads = 0;
  const ctx: Context = {
    infra,
    profile: options.profile,
    rows: [],
    details: {},
    memo: new Map<string, Measured>(),
    serviceEnv,
    profiling: options.cpuProfDir !== undefined,
    retries: { left: options.retries ?? RETRY_BUDGET },
    runTag,
    idPrefix: () => `${runTag}x${(loads += 1)}`,
    log,
  };
  try {
    for (const [names, run] of ORDER) {
      if (names.some((name) => options.only.includes(name))) await run(ctx);
    }
  } finally {
    await infra.stop();
  }
  return {
    machine: describeMachine(),
    startedAt: new Date(started).toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    profile: options.profile,
    scenarios: options.only,
    infrastructure: infra.source,
    rows: sortRows(ctx.rows),
    details: ctx.details,
  };
}

/** Scenarios in a reading order (references first), rows in the order they were measured. */
function sortRows(rows: Row[]): Row[] {
  const rank = (scenario: string) => ['reference', 'cache-hit', 'persistence', 'quiet-message', 'llm', 'connections'].findIndex((s) => scenario.startsWith(s));
  const clients = (scenario: string) => Number(/@(\d+)/.exec(scenario)?.[1] ?? 0);
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => rank(a.row.scenario) - rank(b.row.scenario) || clients(a.row.scenario) - clients(b.row.scenario) || a.index - b.index)
    .map(({ row }) => row);
}
