/** What one run measures and for how long: the full profile, or a few-second smoke run. */
export interface Profile {
  quick: boolean;
  warmupMs: number;
  measureMs: number;
  drainMs: number;
  /** Closed-loop client counts of the cache-hit scenario and its references. */
  cacheClients: number[];
  /** Load-generator processes per load. */
  generators: number;
  llm: {
    ttftClients: number;
    relayClients: number;
    relayTokens: number;
    boundClients: number;
    boundWorkers: number[];
    /** LLM_CONCURRENCY of each llm-dispatch worker (its default). */
    workerConcurrency: number;
    /** Fixed time to first token and per-token delay of the LLM-bound phase. */
    boundTtftMs: number;
    boundTokenDelayMs: number;
  };
  /** The quiet-message scenario: one client, one question every intervalMs, the same in both profiles. */
  quietMessage: { intervalMs: number; warmupMessages: number; messages: number };
  connections: {
    counts: number[];
    /** Each idle session sends one message per interval (random phase). */
    idleIntervalMs: number;
    idleGenerators: number;
    activeClients: number;
    activeIntervalMs: number;
    holdMs: number;
  };
}

/** Light whatever the profile: about 30 messages after three of warm-up, a minute and a half per pipeline. */
const QUIET_MESSAGE = { intervalMs: 2_000, warmupMessages: 3, messages: 30 };

export const fullProfile: Profile = {
  quick: false,
  warmupMs: 3_000,
  measureMs: 10_000,
  drainMs: 10_000,
  cacheClients: [100, 1_000],
  generators: 2,
  llm: {
    ttftClients: 4,
    relayClients: 8,
    relayTokens: 200,
    boundClients: 48,
    boundWorkers: [1, 2, 4],
    workerConcurrency: 8,
    boundTtftMs: 200,
    boundTokenDelayMs: 5,
  },
  quietMessage: QUIET_MESSAGE,
  connections: {
    counts: [10_000, 20_000],
    idleIntervalMs: 60_000,
    idleGenerators: 4,
    activeClients: 10,
    activeIntervalMs: 100,
    holdMs: 15_000,
  },
};

export const quickProfile: Profile = {
  quick: true,
  warmupMs: 500,
  measureMs: 1_500,
  drainMs: 5_000,
  cacheClients: [20],
  generators: 1,
  llm: {
    ttftClients: 2,
    relayClients: 2,
    relayTokens: 50,
    boundClients: 8,
    boundWorkers: [1, 2],
    workerConcurrency: 2,
    boundTtftMs: 100,
    boundTokenDelayMs: 2,
  },
  quietMessage: QUIET_MESSAGE,
  connections: {
    counts: [200],
    idleIntervalMs: 2_000,
    idleGenerators: 2,
    activeClients: 2,
    activeIntervalMs: 100,
    holdMs: 2_000,
  },
};

export const scenarioNames = ['reference', 'cache-hit', 'persistence', 'quiet-message', 'llm', 'connections'] as const;
export type ScenarioName = (typeof scenarioNames)[number];

export interface CliOptions {
  profile: Profile;
  only: ScenarioName[];
  /** Where to write the JSON results. */
  out: string;
  /** Write CPU profiles of the services (node --cpu-prof) into this folder. */
  cpuProfDir?: string;
}

export function parseArgs(argv: string[], defaultOut: string): CliOptions {
  const only: ScenarioName[] = [];
  let quick = false;
  let out = defaultOut;
  let cpuProfDir: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--quick') quick = true;
    else if (arg === '--only') only.push(...scenarioList(argv[++i]));
    else if (arg === '--out') out = required(argv[++i], '--out');
    else if (arg === '--cpu-prof') cpuProfDir = required(argv[++i], '--cpu-prof');
    else throw new Error(`unknown argument ${arg}\n${usage}`);
  }
  return { profile: quick ? quickProfile : fullProfile, only: only.length ? only : [...scenarioNames], out, cpuProfDir };
}

function scenarioList(value: string | undefined): ScenarioName[] {
  const names = required(value, '--only').split(',');
  for (const name of names) {
    if (!(scenarioNames as readonly string[]).includes(name)) throw new Error(`unknown scenario ${name}\n${usage}`);
  }
  return names as ScenarioName[];
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new Error(`${flag} needs a value\n${usage}`);
  return value;
}

export const usage = `usage: node bench/dist/main.js [--quick] [--only ${scenarioNames.join('|')}[,…]] [--out file.json] [--cpu-prof dir]`;
