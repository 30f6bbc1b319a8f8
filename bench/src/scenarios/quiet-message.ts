import type { ServiceName } from '@chatbot/testkit';
import { stopChildren } from '../children';
import { LoadPool } from '../loadgen/pool';
import { FAQ_ANSWER_MARK, faqQuestions } from '../reference/faq-answers';
import { atLeast, atMost, skippedRow, type Target } from '../report/rows';
import { missingServices, System } from '../system';
import type { Watched } from '../stats/proc';
import { addRow, detail, keepWarnings, measure, type Context, type Measured } from './context';
import { PersistenceProbe } from './persistence';
import { startReference } from './reference';
import { noiseNote } from './quiet';
import { cpuRows, errorRow } from './rows';

const REQUIRED: ServiceName[] = ['chat-log', 'qna-cache', 'gateway'];
const SCENARIO = 'quiet-message';

/**
 * One client asking a cache-hit question every couple of seconds: every message meets idle
 * processes, so its time is wake-ups and round trips rather than queueing (docs/benchmarks.md,
 * finding 23). Measured beside its floor, the durable relay asked at the same pace by one client.
 */
export async function runQuietMessage(ctx: Context): Promise<void> {
  const missing = missingServices(REQUIRED);
  if (missing.length > 0) {
    ctx.rows.push(skippedRow(SCENARIO, 'latency p50', `services not built: ${missing.join(', ')}`, atMost(8, 'value')));
    return;
  }
  const floor = await relayAtPace(ctx);
  ctx.log(`${SCENARIO}: one client through the system`);
  const system = await System.start(ctx.infra, REQUIRED, ctx.serviceEnv);
  const probe = await PersistenceProbe.open(system.databaseUrl, ctx.infra.natsUrl, system.prefix);
  try {
    const m = await paced(ctx, system.chatUrl, [...system.watched(), ...ctx.infra.watched]);
    const stored = await probe.storedFor(m.result.sessions, m.result.sent, 15_000);
    ctx.details[SCENARIO] = { ...detail(m), stored };
    ctx.details[`${SCENARIO} durable relay`] = detail(floor);
    emitRows(ctx, m, floor, stored);
  } finally {
    await probe.close();
    await system.stop();
    keepWarnings(ctx, SCENARIO, system.warnings);
  }
}

async function relayAtPace(ctx: Context): Promise<Measured> {
  ctx.log(`${SCENARIO}: one client through the durable relay`);
  const pipeline = await startReference(ctx, 'durable', 'quiet');
  try {
    return await paced(ctx, pipeline.url, pipeline.watched);
  } finally {
    await stopChildren(pipeline.children);
  }
}

/** One client, one question every intervalMs: the window holds `messages` of them after the warm-up. */
async function paced(ctx: Context, url: string, servers: Watched[]): Promise<Measured> {
  const { intervalMs, warmupMessages, messages } = ctx.profile.quietMessage;
  const pool = await LoadPool.start('loadgen', {
    mode: 'chat',
    url,
    clients: 1,
    messages: faqQuestions(),
    idPrefix: ctx.idPrefix(),
    expectText: FAQ_ANSWER_MARK,
    intervalMs,
    replyTimeoutMs: 30_000,
  }, 1);
  try {
    const [m] = await measure([pool], servers, { warmupMs: warmupMessages * intervalMs, measureMs: messages * intervalMs, drainMs: 5_000 });
    return m!;
  } finally {
    await pool.close();
  }
}

function emitRows(ctx: Context, m: Measured, floor: Measured, stored: number): void {
  const beside = (metric: string, unit: string, f: (x: Measured) => number, target?: Target) =>
    addRow(ctx, SCENARIO, { metric, unit, value: f(m), reference: f(floor), referenceName: 'durable relay', target, note: target && noiseNote([m, floor]) });
  beside('replies in the window', '', (x) => x.latency.count);
  // The aim for a quiet message (issue 19): 8 ms end to end at the median.
  beside('latency p50', 'ms', (x) => x.latency.p50, atMost(8, 'value'));
  beside('latency p99', 'ms', (x) => x.latency.p99);
  errorRow(ctx, SCENARIO, m);
  addRow(ctx, SCENARIO, { metric: 'messages stored', unit: '', value: stored, reference: m.result.sent, referenceName: 'sent', target: atLeast(1) });
  // Idle processes are the point: what else ran on the machine says how far to trust the figures.
  cpuRows(ctx, SCENARIO, m, ['gateway', 'chat-log', 'qna-cache', 'nats-server', 'postgres']);
}
