import type { ServiceName } from '@chatbot/testkit';
import { LoadPool } from '../loadgen/pool';
import { FAQ_ANSWER_MARK, faqQuestions } from '../reference/faq-answers';
import { atLeast, atMost, skippedRow } from '../report/rows';
import { missingServices, System } from '../system';
import { addRow, detail, keepWarnings, measure, profiledOf, type Context, type Measured } from './context';
import { PersistenceProbe, rates, type Sample } from './persistence';
import { quietly } from './quiet';
import { referenceLoad } from './reference';
import { cpuRows, errorRow, loadRows } from './rows';

const REQUIRED: ServiceName[] = ['chat-log', 'qna-cache', 'gateway'];

/**
 * Scenario 2 (and 5): FAQ questions in a closed loop through the whole system, beside the
 * ideal relay under the same load; every message must come back and be stored by chat-log.
 */
export async function runCacheHit(ctx: Context): Promise<void> {
  const missing = missingServices(REQUIRED);
  if (missing.length > 0) return skipAll(ctx, `services not built: ${missing.join(', ')}`);
  for (const clients of ctx.profile.cacheClients) {
    await referenceLoad(ctx, 'echo', clients);
    const relay = await referenceLoad(ctx, 'relay', clients);
    const durable = await referenceLoad(ctx, 'durable', clients);
    await systemLoad(ctx, clients, relay, durable);
  }
}

async function systemLoad(ctx: Context, clients: number, relay: Measured, durable: Measured): Promise<void> {
  ctx.log(`cache-hit: ${clients} clients through the system`);
  const system = await System.start(ctx.infra, REQUIRED, ctx.serviceEnv);
  const probe = await PersistenceProbe.open(system.databaseUrl, ctx.infra.natsUrl, system.prefix);
  try {
    const { m, stored, samples, lag } = await quietly(ctx, `cache-hit @${clients}`, () => closedLoop(ctx, system, probe, clients));
    ctx.details[`cache-hit @${clients}`] = { ...detail(m), stored, persistence: { ...rates(samples), lagMs: lag, samples } };
    emitRows(ctx, clients, m, relay, durable, stored);
    persistenceRows(ctx, clients, samples, lag);
  } finally {
    await probe.close();
    await system.stop();
    keepWarnings(ctx, `cache-hit @${clients}`, system.warnings);
  }
}

/** One measured closed-loop load, then the stored rows of its sessions and their lag. */
async function closedLoop(ctx: Context, system: System, probe: PersistenceProbe, clients: number) {
  const pool = await LoadPool.start('loadgen', {
    mode: 'chat',
    url: system.chatUrl,
    clients,
    messages: faqQuestions(),
    idPrefix: ctx.idPrefix(),
    expectText: FAQ_ANSWER_MARK,
    replyTimeoutMs: 30_000,
  }, ctx.profile.generators);
  try {
    const { warmupMs, measureMs, drainMs } = ctx.profile;
    let samples: Sample[] = [];
    const sampling = async (windowMs: number) => {
      samples = await probe.watch(windowMs);
    };
    const servers = [...system.watched(), ...ctx.infra.watched];
    const [m] = await measure([pool], servers, { warmupMs, measureMs, drainMs }, sampling, profiledOf(ctx, system.watched()));
    ctx.log(`cache-hit: ${clients} clients measured${ctx.profiling ? ' (a profile window of each service)' : ''}`);
    const stored = await probe.storedFor(m!.result.sessions, m!.result.sent, 15_000);
    return { m: m!, stored, samples, lag: await probe.lag(m!.result.sessions) };
  } finally {
    await pool.close();
  }
}

function emitRows(ctx: Context, clients: number, m: Measured, relay: Measured, durable: Measured, stored: number): void {
  const scenario = `cache-hit @${clients}`;
  const targeted = clients === ctx.profile.cacheClients[0];
  loadRows(ctx, scenario, '', m, { m: relay, name: 'relay' }, targeted ? { throughput: atLeast(0.5), p99: atMost(2) } : {});
  // The same figures beside the least a pipeline that loses nothing must do (no target: context).
  const beside = (metric: string, unit: string, f: (x: Measured) => number) =>
    addRow(ctx, scenario, { metric: `${metric} vs durable relay`, unit, value: f(m), reference: f(durable), referenceName: 'durable' });
  beside('round trips/s', '', (x) => x.result.throughput);
  beside('latency p99', 'ms', (x) => x.latency.p99);
  beside('server CPU per round trip', 'µs', (x) => x.cpuPerRoundTripUs);
  errorRow(ctx, scenario, m);
  addRow(ctx, scenario, {
    metric: 'messages stored',
    unit: '',
    value: stored,
    reference: m.result.sent,
    referenceName: 'sent',
    target: atLeast(1),
  });
  cpuRows(ctx, scenario, m, ['gateway', 'chat-log', 'qna-cache', 'nats-server', 'postgres', 'loadgen']);
}

function persistenceRows(ctx: Context, clients: number, samples: Sample[], lag: { p50: number; p99: number }): void {
  const scenario = `persistence @${clients}`;
  const r = rates(samples);
  addRow(ctx, scenario, {
    metric: 'stored/s vs accepted/s',
    unit: '',
    value: r.storedPerSecond,
    reference: r.acceptedPerSecond,
    referenceName: 'accepted',
    // Window edges: both counts are read every 500 ms, so equal rates differ by a few rows.
    target: atLeast(0.99),
  });
  addRow(ctx, scenario, { metric: 'largest backlog (accepted − stored)', unit: 'msgs', value: r.maxBacklog });
  addRow(ctx, scenario, { metric: 'received → stored p50', unit: 'ms', value: lag.p50 });
  addRow(ctx, scenario, { metric: 'received → stored p99', unit: 'ms', value: lag.p99 });
}

function skipAll(ctx: Context, why: string): void {
  const first = ctx.profile.cacheClients[0];
  ctx.rows.push(
    skippedRow(`cache-hit @${first}`, 'round trips/s', why, atLeast(0.5)),
    skippedRow(`cache-hit @${first}`, 'latency p99', why, atMost(2)),
    skippedRow(`cache-hit @${first}`, 'messages stored', why, atLeast(1)),
    skippedRow(`persistence @${first}`, 'stored/s vs accepted/s', why, atLeast(0.99)),
  );
}
