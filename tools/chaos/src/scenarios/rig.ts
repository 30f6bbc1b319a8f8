import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isolateOn, startStubLlm, warningSummary, type StubLlm, type StubScript, type TestEnv } from '@chatbot/testkit';
import { sessionProblems, tally, type Tally } from '../lib/accounting';
import { FaultLog, summarise } from '../lib/faults';
import { ChaosSystem } from '../lib/system';
import type { V2Client } from '../lib/v2.client';
import type { ScenarioContext, ScenarioResult, Servers } from './types';

export interface RigPlan {
  workers: number;
  /** One stub LLM per worker (to tell which worker streams) or one shared by all. */
  stubPerWorker?: boolean;
  script: StubScript;
  env?: Record<string, string>;
  workerEnv?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
  /** Servers other than the context's (a private NATS or Postgres the scenario crashes). */
  servers?: Partial<Servers>;
}

/** What a scenario body works with. */
export interface Rig {
  env: TestEnv;
  system: ChaosSystem;
  stubs: StubLlm[];
  faults: FaultLog;
  log(line: string): void;
}

/**
 * Starts the stub LLM(s) and the whole system on a fresh database and NATS prefix, runs the
 * scenario body, and always takes everything down again.
 */
export async function withRig<T>(ctx: ScenarioContext, plan: RigPlan, body: (rig: Rig) => Promise<T>): Promise<T> {
  const natsUrl = plan.servers?.natsUrl ?? ctx.servers.natsUrl;
  const adminUrl = plan.servers?.adminUrl ?? ctx.servers.adminUrl;
  const env = await isolateOn(natsUrl, adminUrl);
  const stubs: StubLlm[] = [];
  let system: ChaosSystem | undefined;
  try {
    const stubCount = plan.stubPerWorker ? plan.workers : 1;
    for (let i = 0; i < stubCount; i++) stubs.push(await startStubLlm({ script: plan.script }));
    system = await ChaosSystem.start({
      env: { ...env.env, LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn', ...plan.env },
      workers: plan.workers,
      workerEnv: (i) => ({ ...plan.workerEnv, LLM_BASE_URL: stubs[plan.stubPerWorker ? i : 0].url }),
      gatewayEnv: plan.gatewayEnv,
    });
    return await body({ env, system, stubs, faults: new FaultLog(), log: ctx.log });
  } finally {
    await system?.stop();
    await Promise.all(stubs.map((stub) => stub.close()));
    if (system && process.env.CHAOS_LOG_DIR) await keepEvidence(process.env.CHAOS_LOG_DIR, system, env, ctx.log);
    if (process.env.CHAOS_KEEP_DATA) ctx.log(`  kept database ${env.databaseUrl}`);
    else await env.cleanup().catch((error: unknown) => ctx.log(`cleanup: ${(error as Error).message}`));
  }
}

/**
 * The common verdict: the tally of every client against chat-log, recovery per fault, and
 * every service exit nobody asked for. Scenario-specific failures are passed in.
 */
export async function verdict(
  name: string,
  rig: Rig,
  clients: V2Client[],
  extra: { failures?: string[]; notes?: string[]; recoveries?: Array<number | null>; unavailableAllowed?: boolean } = {},
): Promise<ScenarioResult & { tally: Tally }> {
  const t = await tally(clients, rig.env.databaseUrl);
  const recovery = summarise(extra.recoveries ?? rig.faults.recoveries(clients));
  const failures = [...(extra.failures ?? []), ...sessionProblems(t)];
  if (t.unavailable > 0 && !extra.unavailableAllowed) failures.push(`${t.unavailable} messages answered "assistant unavailable" instead of an answer`);
  if (t.lost > 0) failures.push(`${t.lost} lost (${t.acceptedNotStored} accepted but never stored)`);
  if (t.duplicated > 0) failures.push(`${t.duplicated} duplicated`);
  if (recovery.unrecovered > 0) failures.push(`${recovery.unrecovered} faults never followed by an answer`);
  for (const exit of rig.system.unplannedExits()) failures.push(`${exit.name} exited (code ${exit.code}, signal ${exit.signal})`);
  const notes = [...(extra.notes ?? []), ...tallyNotes(t)];
  if (t.unavailable > 0 && extra.unavailableAllowed) notes.push(`${t.unavailable} answered "assistant unavailable" (the configured reply timeout passed)`);
  if (failures.length > 0) notes.push(...t.examples, ...warningSummary(rig.system.services));
  return { name, sent: t.sent, lost: t.lost, duplicated: t.duplicated, maxRecoveryMs: recovery.maxMs, failures, notes, tally: t };
}

function tallyNotes(t: Tally): string[] {
  const notes = [`${t.sends - t.sent} resends`];
  if (t.mismatched > 0) notes.push(`${t.mismatched} told something other than what chat-log committed`);
  if (t.lateProgress > 0) notes.push(`${t.lateProgress} typing/delta frames after the final reply`);
  return notes;
}

/** CHAOS_LOG_DIR: every service's last log lines, one file per process, to read after a failure. */
async function keepEvidence(dir: string, system: ChaosSystem, env: TestEnv, log: (line: string) => void): Promise<void> {
  const folder = join(dir, env.prefix);
  await mkdir(folder, { recursive: true });
  for (const service of system.services) await writeFile(join(folder, `${service.name}.log`), service.logs.join('\n'));
  log(`  service logs in ${folder}`);
}
