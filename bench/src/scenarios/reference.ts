import { startChild, stopChildren, type Child } from '../children';
import { LoadPool } from '../loadgen/pool';
import { FAQ_ANSWER_MARK, faqQuestions } from '../reference/faq-answers';
import type { Watched } from '../stats/proc';
import { detail, measure, type Context, type Measured } from './context';
import { quietly } from './quiet';
import { cpuRows, errorRow, loadRows } from './rows';

export type ReferenceKind = 'echo' | 'relay';

/** A running reference pipeline: the URL clients connect to and the processes to watch. */
export interface ReferencePipeline {
  url: string;
  watched: Watched[];
  children: Child[];
}

export async function startReference(ctx: Context, kind: ReferenceKind, tag: string): Promise<ReferencePipeline> {
  if (kind === 'echo') {
    const echo = await startChild('echo-server', 'reference/echo-server.js');
    return { url: wsUrl(echo), watched: [{ name: 'echo-server', pid: echo.pid }], children: [echo] };
  }
  const env = { NATS_URL: ctx.infra.natsUrl, RELAY_PREFIX: `${ctx.runTag}${tag}` };
  const responder = await startChild('relay-responder', 'reference/relay-responder.js', env);
  const relay = await startChild('relay-server', 'reference/relay-server.js', env);
  return {
    url: wsUrl(relay),
    watched: [{ name: 'relay-server', pid: relay.pid }, { name: 'relay-responder', pid: responder.pid }, ...ctx.infra.watched.filter((w) => w.name === 'nats-server')],
    children: [relay, responder],
  };
}

const wsUrl = (child: Child) => `ws://127.0.0.1:${child.ports.http}/api/chat/ws`;

/**
 * The reference pipelines under the cache-hit scenario's client load, measured once per run
 * and client count (the cache-hit scenario asks for them right before its own run).
 */
export async function referenceLoad(ctx: Context, kind: ReferenceKind, clients: number): Promise<Measured> {
  const key = `${kind}@${clients}`;
  const known = ctx.memo.get(key);
  if (known) return known;
  ctx.log(`reference ${kind}: ${clients} clients`);
  const pipeline = await startReference(ctx, kind, `${kind}${clients}`);
  try {
    const { m } = await quietly(ctx, `reference ${key}`, async () => ({ m: await closedLoop(ctx, kind, pipeline, clients) }));
    ctx.memo.set(key, m);
    ctx.details[`reference ${key}`] = detail(m);
    emitRows(ctx, kind, clients, m);
    return m;
  } finally {
    await stopChildren(pipeline.children);
  }
}

async function closedLoop(ctx: Context, kind: ReferenceKind, pipeline: ReferencePipeline, clients: number): Promise<Measured> {
  const pool = await LoadPool.start('loadgen', {
    mode: 'chat',
    url: pipeline.url,
    clients,
    messages: faqQuestions(),
    idPrefix: ctx.idPrefix(),
    expectText: kind === 'relay' ? FAQ_ANSWER_MARK : undefined,
    replyTimeoutMs: 30_000,
  }, ctx.profile.generators);
  try {
    const { warmupMs, measureMs, drainMs } = ctx.profile;
    const [m] = await measure([pool], pipeline.watched, { warmupMs, measureMs, drainMs });
    return m!;
  } finally {
    await pool.close();
  }
}

function emitRows(ctx: Context, kind: ReferenceKind, clients: number, m: Measured): void {
  const scenario = `reference @${clients}`;
  if (kind === 'echo') {
    loadRows(ctx, scenario, 'echo', m, undefined);
    return;
  }
  const echo = ctx.memo.get(`echo@${clients}`);
  loadRows(ctx, scenario, 'relay', m, echo ? { m: echo, name: 'echo' } : undefined);
  errorRow(ctx, scenario, m, 'relay');
  cpuRows(ctx, scenario, m, ['relay-server', 'relay-responder', 'nats-server', 'loadgen']);
}

/** The reference scenario on its own: echo and relay at every client count. */
export async function runReferences(ctx: Context): Promise<void> {
  for (const clients of ctx.profile.cacheClients) {
    await referenceLoad(ctx, 'echo', clients);
    await referenceLoad(ctx, 'relay', clients);
  }
}
