import { Client } from 'pg';
import { startChild, stopChildren, type Child } from '../children';
import { LoadPool } from '../loadgen/pool';
import { atLeast } from '../report/rows';
import { FAQ_ANSWER_MARK, faqQuestions } from '../reference/faq-answers';
import type { Watched } from '../stats/proc';
import { addRow, detail, measure, type Context, type Measured } from './context';
import { quietly } from './quiet';
import { cpuRows, errorRow, loadRows } from './rows';

export type ReferenceKind = 'echo' | 'relay' | 'durable';

/** A running reference pipeline: the URL clients connect to and the processes to watch. */
export interface ReferencePipeline {
  url: string;
  watched: Watched[];
  children: Child[];
  /** Rows the durable relay stored (its messages table), to show it kept every message. */
  countStored?(): Promise<number>;
}

/**
 * The NATS relays: the ideal one (1b), the durable one (1c: JetStream in, a Postgres commit per
 * micro-batch) and the LLM relay (3b: JetStream in, a worker that streams the model's text back).
 * `jetstream`: relay-server.js publishes to a work queue (RELAY_DURABLE=1) instead of core NATS.
 * `label` and `comparedWith` name the reference scenario's rows; the LLM relay's rows are the LLM
 * scenario's own.
 */
const RELAYS = {
  relay: { label: 'relay', comparedWith: 'echo', server: 'relay-server', responder: 'relay-responder', responderScript: 'reference/relay-responder.js', servers: ['nats-server'], jetstream: false, database: false },
  durable: { label: 'durable relay', comparedWith: 'relay', server: 'durable-server', responder: 'durable-responder', responderScript: 'reference/relay-durable-responder.js', servers: ['nats-server', 'postgres'], jetstream: true, database: true },
  llm: { server: 'llm-relay-server', responder: 'llm-relay-worker', responderScript: 'reference/llm-relay-worker.js', servers: ['nats-server'], jetstream: true, database: false },
} as const;

/** Starts a reference pipeline; `env` goes to its processes (the LLM relay's LLM_BASE_URL). */
export async function startReference(ctx: Context, kind: 'echo' | keyof typeof RELAYS, tag: string, env: Record<string, string> = {}): Promise<ReferencePipeline> {
  if (kind === 'echo') {
    const echo = await startChild('echo-server', 'reference/echo-server.js');
    return { url: wsUrl(echo), watched: [{ name: 'echo-server', pid: echo.pid }], children: [echo] };
  }
  const spec = RELAYS[kind];
  const databaseUrl = spec.database ? await ctx.infra.createDatabase('benchdurable') : undefined;
  const childEnv = {
    ...env,
    NATS_URL: ctx.infra.natsUrl,
    RELAY_PREFIX: `${ctx.runTag}${tag}`,
    ...(spec.jetstream ? { RELAY_DURABLE: '1' } : {}),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  const responder = await startChild(spec.responder, spec.responderScript, childEnv);
  const relay = await startChild(spec.server, 'reference/relay-server.js', childEnv);
  const servers = ctx.infra.watched.filter((w) => (spec.servers as readonly string[]).includes(w.name));
  return {
    url: wsUrl(relay),
    watched: [{ name: spec.server, pid: relay.pid }, { name: spec.responder, pid: responder.pid }, ...servers],
    children: [relay, responder],
    countStored: databaseUrl ? () => countRows(databaseUrl, 'relay_messages') : undefined,
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
    if (pipeline.countStored) {
      const stored = await pipeline.countStored();
      addRow(ctx, `reference @${clients}`, { metric: 'durable relay messages stored', unit: '', value: stored, reference: m.result.sent, referenceName: 'sent', target: atLeast(1) });
    }
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
    expectText: kind === 'echo' ? undefined : FAQ_ANSWER_MARK,
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
  const spec = RELAYS[kind];
  const reference = ctx.memo.get(`${spec.comparedWith}@${clients}`);
  loadRows(ctx, scenario, spec.label, m, reference ? { m: reference, name: spec.comparedWith } : undefined);
  errorRow(ctx, scenario, m, spec.label);
  cpuRows(ctx, scenario, m, [spec.server, spec.responder, ...spec.servers, 'loadgen']);
}

/** The reference scenario on its own: echo, relay and durable relay at every client count. */
export async function runReferences(ctx: Context): Promise<void> {
  for (const clients of ctx.profile.cacheClients) {
    await referenceLoad(ctx, 'echo', clients);
    await referenceLoad(ctx, 'relay', clients);
    await referenceLoad(ctx, 'durable', clients);
  }
}

async function countRows(databaseUrl: string, table: string): Promise<number> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
    return Number(rows[0]!.n);
  } finally {
    await db.end();
  }
}
