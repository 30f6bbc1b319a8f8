import type { ServiceName } from '@chatbot/testkit';
import { stopChildren } from '../children';
import { socketCeiling } from '../limits';
import { LoadPool } from '../loadgen/pool';
import { FAQ_ANSWER_MARK, faqQuestions } from '../reference/faq-answers';
import { atMost, skippedRow } from '../report/rows';
import { rssBytes, type Watched } from '../stats/proc';
import { chatUrlOf, missingServices, System } from '../system';
import { addRow, detail, keepWarnings, measure, profiledOf, type Context, type Measured } from './context';
import { noiseNote } from './quiet';
import { startReference } from './reference';

const REQUIRED: ServiceName[] = ['chat-log', 'qna-cache', 'gateway'];
const KB = 1024;

/** What holding N mostly idle sessions cost one server process. */
interface Held {
  connected: number;
  connectSeconds: number;
  rssBaselineMb: number;
  rssEndMb: number;
  rssPerConnectionKb: number;
  active: Measured;
  idle: Measured;
}

/**
 * Scenario 4: many mostly idle sessions (one FAQ question per minute each, random phase) held
 * by one gateway, beside the ideal relay holding the same: memory per connection, and the
 * latency of a few active sessions meanwhile.
 */
export async function runConnections(ctx: Context): Promise<void> {
  const missing = missingServices(REQUIRED);
  if (missing.length > 0) return skipAll(ctx, `services not built: ${missing.join(', ')}`);
  const system = await System.start(ctx.infra, ['chat-log', 'qna-cache'], ctx.serviceEnv);
  try {
    for (const wanted of ctx.profile.connections.counts) {
      const count = Math.min(wanted, socketCeiling());
      const relay = await startReference(ctx, 'relay', `conn${count}`);
      let reference: Held;
      try {
        ctx.log(`connections: ${count} sessions on the ideal relay`);
        reference = await hold(ctx, relay.url, relay.watched, count);
      } finally {
        await stopChildren(relay.children);
      }
      const gateway = await system.add('gateway', `c${count}`);
      try {
        ctx.log(`connections: ${count} sessions on the gateway`);
        const servers = [...system.watched(), ...ctx.infra.watched];
        const gatewayWatched = { name: 'gateway', pid: gateway.process.pid! };
        const others = servers.filter((s) => s.pid !== gatewayWatched.pid);
        const held = await hold(ctx, chatUrlOf(gateway), [gatewayWatched, ...others], count, profiledOf(ctx, system.watched()));
        emitRows(ctx, wanted, count, held, reference);
      } finally {
        await system.remove(gateway);
      }
    }
  } finally {
    await system.stop();
    keepWarnings(ctx, 'connections', system.warnings);
  }
}

/** Connects `count` idle sessions, then runs idle and active load together for holdMs. */
async function hold(ctx: Context, url: string, watched: Watched[], count: number, profiled: Watched[] = []): Promise<Held> {
  const profile = ctx.profile.connections;
  const serverPid = watched[0]!.pid;
  const rssBaseline = rssBytes(serverPid);
  const base = { mode: 'chat' as const, url, messages: faqQuestions(), expectText: FAQ_ANSWER_MARK, replyTimeoutMs: 30_000 };
  const started = performance.now();
  const idle = await LoadPool.start('idle', {
    ...base,
    clients: count,
    idPrefix: ctx.idPrefix(),
    intervalMs: profile.idleIntervalMs,
    connectConcurrency: 50,
  }, profile.idleGenerators, true);
  const connectSeconds = (performance.now() - started) / 1000;
  let active: LoadPool | undefined;
  try {
    active = await LoadPool.start('active', {
      ...base,
      clients: profile.activeClients,
      idPrefix: ctx.idPrefix(),
      intervalMs: profile.activeIntervalMs,
    }, 1);
    const [idleM, activeM] = await measure([idle, active], watched, { warmupMs: 1_000, measureMs: profile.holdMs, drainMs: ctx.profile.drainMs }, undefined, profiled);
    const rssEnd = rssBytes(serverPid);
    return {
      connected: idle.connected,
      connectSeconds,
      rssBaselineMb: rssBaseline / 2 ** 20,
      rssEndMb: rssEnd / 2 ** 20,
      rssPerConnectionKb: (rssEnd - rssBaseline) / KB / Math.max(1, idle.connected),
      active: activeM!,
      idle: idleM!,
    };
  } finally {
    await active?.close();
    await idle.close();
  }
}

function emitRows(ctx: Context, wanted: number, count: number, held: Held, reference: Held): void {
  const scenario = `connections @${wanted}`;
  const last = wanted === Math.max(...ctx.profile.connections.counts);
  const capped = count < wanted ? `${count} sessions, not ${wanted}: the open files limit (${socketCeiling() + 250}) cannot be raised here` : undefined;
  const jsonOf = (h: Held) => ({ ...h, active: detail(h.active), idle: detail(h.idle) });
  ctx.details[scenario] = { gateway: jsonOf(held), relay: jsonOf(reference) };
  const ref = (value: number) => ({ reference: value, referenceName: 'relay' });
  addRow(ctx, scenario, { metric: 'sessions connected', unit: '', value: held.connected, reference: count, referenceName: 'opened', target: { of: 'ratio', op: '>=', bound: 1 }, note: capped });
  addRow(ctx, scenario, { metric: 'connect time', unit: 's', value: held.connectSeconds, ...ref(reference.connectSeconds) });
  addRow(ctx, scenario, {
    metric: 'gateway RSS per connection',
    unit: 'KB',
    value: held.rssPerConnectionKb,
    ...ref(reference.rssPerConnectionKb),
    target: last ? atMost(30, 'value') : undefined,
  });
  addRow(ctx, scenario, { metric: 'gateway RSS', unit: 'MB', value: held.rssEndMb, ...ref(reference.rssEndMb) });
  addRow(ctx, scenario, {
    metric: 'active session p50',
    unit: 'ms',
    value: held.active.latency.p50,
    ...ref(reference.active.latency.p50),
    note: noiseNote([held.active, reference.active]),
  });
  addRow(ctx, scenario, { metric: 'active session p99', unit: 'ms', value: held.active.latency.p99, ...ref(reference.active.latency.p99) });
  addRow(ctx, scenario, { metric: 'idle session p99', unit: 'ms', value: held.idle.latency.p99, ...ref(reference.idle.latency.p99) });
  const errors = held.active.result.errors + held.idle.result.errors + held.idle.result.connectFailures;
  const samples = [...held.idle.result.errorSamples, ...held.active.result.errorSamples].join(' | ');
  addRow(ctx, scenario, { metric: 'errors', unit: '', value: errors, target: atMost(0, 'value'), note: errors ? samples.slice(0, 400) : undefined });
}

function skipAll(ctx: Context, why: string): void {
  const last = Math.max(...ctx.profile.connections.counts);
  ctx.rows.push(skippedRow(`connections @${last}`, 'gateway RSS per connection', why, atMost(30, 'value')));
}
