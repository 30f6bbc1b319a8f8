import type { Tally } from '../lib/accounting';

/** The NATS and Postgres a scenario runs on (each scenario gets its own database and prefix). */
export interface Servers {
  natsUrl: string;
  adminUrl: string;
}

export interface ScenarioContext {
  servers: Servers;
  log(line: string): void;
}

/** One row of the chaos table, with the reasons behind a failed result. */
export interface ScenarioResult {
  name: string;
  sent: number;
  lost: number;
  duplicated: number;
  /** The slowest recovery: from a fault until the system answered again. */
  maxRecoveryMs: number | null;
  /** Each broken guarantee, one line; empty means passed. */
  failures: string[];
  /** Facts worth knowing that break no guarantee. */
  notes: string[];
  tally?: Tally;
}

export interface Scenario<S = Record<string, number>> {
  name: string;
  /** What is done to the system and what must hold. */
  title: string;
  sizes: { full: S; quick: S };
  run(ctx: ScenarioContext, size: S): Promise<ScenarioResult>;
}
