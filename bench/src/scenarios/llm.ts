import type { ServiceName } from '@chatbot/testkit';
import { startChild, stopChildren, type Child } from '../children';
import { LoadPool } from '../loadgen/pool';
import type { LoadConfig } from '../loadgen/protocol';
import { atLeast, atMost, skippedRow } from '../report/rows';
import { missingServices, System } from '../system';
import { addRow, detail, keepWarnings, measure, profiledOf, type Context, type Measured } from './context';
import { noiseNote, quietly } from './quiet';
import { startReference, type ReferencePipeline } from './reference';
import { cpuRows, errorRow, slowNote } from './rows';

const REQUIRED: ServiceName[] = ['chat-log', 'qna-cache', 'llm-dispatch', 'gateway'];
const V2 = 'chat.v2';

/** Questions no FAQ or term matches exactly, so the cache hands them to the LLM workers. */
const QUESTIONS = [
  '요즘 해외여행 갈 때 어떤 카드를 챙기면 좋을까요? 벤치마크 질문입니다',
  '주말에 가족과 외식을 자주 하는데 혜택 좋은 카드가 있을까요? 벤치마크',
  '대학생인데 교통비와 통신비를 아끼고 싶어요. 벤치마크 질문',
  '연회비가 없는 카드 중에 쓸만한 걸 추천해 주세요. 벤치마크',
];

const words = (n: number) => Array.from({ length: n }, (_, i) => `토큰${i}`).join(' ');

/**
 * Scenario 3: a stub LLM with a fixed time to first token and token rate. Added time to first
 * token and token-relay throughput are measured against calling the stub directly; LLM-bound
 * throughput against N times the one-worker figure.
 */
export async function runLlm(ctx: Context): Promise<void> {
  const missing = missingServices(REQUIRED);
  if (missing.length > 0) return skipAll(ctx, `services not built: ${missing.join(', ')}`);
  const stub = await startChild('stub-llm', 'reference/stub-llm-server.js');
  const optional = missingServices(['persona']).length === 0 ? (['persona'] as ServiceName[]) : [];
  let system: System | undefined;
  try {
    system = await System.start(ctx.infra, ['chat-log', 'qna-cache', ...optional, 'gateway'], ctx.serviceEnv);
    const stubUrl = `http://127.0.0.1:${stub.ports.http}/v1`;
    await system.add('llm-dispatch', 'w1', workerEnv(ctx, stubUrl));
    const run = new LlmRun(ctx, system, stub, stubUrl);
    await run.addedTtft();
    await run.tokenRelay();
    await run.bound();
  } finally {
    await system?.stop();
    keepWarnings(ctx, 'llm', system?.warnings ?? []);
    await stopChildren([stub]);
  }
}

class LlmRun {
  private windows = 0;

  constructor(
    private readonly ctx: Context,
    private readonly system: System,
    private readonly stub: Child,
    private readonly stubUrl: string,
  ) {}

  async addedTtft(): Promise<void> {
    const scenario = 'llm time to first token';
    await this.behave({ text: words(20), ttftMs: 50, tokenDelayMs: 2 });
    const clients = this.ctx.profile.llm.ttftClients;
    const direct = await this.load('direct', 'direct-llm', clients);
    const relay = await this.viaLlmRelay(clients);
    const pipeline = await this.load('pipeline', 'stream', clients);
    this.ctx.details[scenario] = { direct: detail(direct), llmRelay: detail(relay), pipeline: detail(pipeline), stub: { ttftMs: 50, tokenDelayMs: 2, tokens: 20 } };
    for (const [label, pick] of [['p50', (m: Measured) => m.ttft.p50], ['p99', (m: Measured) => m.ttft.p99]] as const) {
      addRow(this.ctx, scenario, { metric: `TTFT ${label}`, unit: 'ms', value: pick(pipeline), reference: pick(direct), referenceName: 'direct' });
    }
    // Where the pipeline's time goes before the first token: the progress frames of protocol v2.
    for (const mark of ['accepted', 'typing']) {
      const histogram = pipeline.result.marks.get(mark);
      if (histogram) addRow(this.ctx, scenario, { metric: `to '${mark}' frame p50`, unit: 'ms', value: histogram.percentile(50) });
    }
    // Beside each: what the LLM relay (one durable hop, no checks) adds over calling the stub directly.
    addRow(this.ctx, scenario, {
      metric: 'added TTFT p50',
      unit: 'ms',
      value: pipeline.ttft.p50 - direct.ttft.p50,
      reference: relay.ttft.p50 - direct.ttft.p50,
      referenceName: 'LLM relay',
      target: atMost(3, 'value'),
      note: noiseNote([pipeline, relay, direct]),
    });
    addRow(this.ctx, scenario, {
      metric: 'added TTFT p99',
      unit: 'ms',
      value: pipeline.ttft.p99 - direct.ttft.p99,
      reference: relay.ttft.p99 - direct.ttft.p99,
      referenceName: 'LLM relay',
      target: atMost(15, 'value'),
      note: slowNote(pipeline),
    });
    errorRow(this.ctx, scenario, relay, 'LLM relay');
    errorRow(this.ctx, scenario, pipeline);
  }

  /** The same load through reference 3b: relay-server, a JetStream work queue, a bare worker. */
  private async viaLlmRelay(clients: number): Promise<Measured> {
    const relay = await startReference(this.ctx, 'llm', 'llmrelay', { LLM_BASE_URL: this.stubUrl });
    try {
      return await this.load('LLM relay', 'stream', clients, relay);
    } finally {
      await stopChildren(relay.children);
    }
  }

  async tokenRelay(): Promise<void> {
    const scenario = 'llm token relay';
    const { relayClients, relayTokens } = this.ctx.profile.llm;
    await this.behave({ text: words(relayTokens), ttftMs: 0, tokenDelayMs: 0 });
    const direct = await this.load('direct', 'direct-llm', relayClients);
    const pipeline = await this.load('pipeline', 'stream', relayClients);
    this.ctx.details[scenario] = { direct: detail(direct), pipeline: detail(pipeline), stub: { tokens: relayTokens } };
    addRow(this.ctx, scenario, {
      metric: 'text streamed (chars/s)',
      unit: '',
      value: pipeline.result.charsPerSecond,
      reference: direct.result.charsPerSecond,
      referenceName: 'direct',
      note: noiseNote([pipeline, direct]),
    });
    addRow(this.ctx, scenario, { metric: 'replies/s', unit: '', value: pipeline.result.throughput, reference: direct.result.throughput, referenceName: 'direct' });
    errorRow(this.ctx, scenario, pipeline);
    cpuRows(this.ctx, scenario, pipeline, ['gateway', 'llm-dispatch', 'chat-log', 'qna-cache', 'nats-server', 'stub-llm', 'loadgen']);
  }

  async bound(): Promise<void> {
    const scenario = 'llm bound';
    const { boundClients, boundWorkers, boundTtftMs, boundTokenDelayMs, workerConcurrency } = this.ctx.profile.llm;
    await this.behave({ text: words(20), ttftMs: boundTtftMs, tokenDelayMs: boundTokenDelayMs });
    let workers = 1;
    let single: Measured | undefined;
    for (const target of boundWorkers) {
      while (workers < target) await this.system.add('llm-dispatch', `w${++workers}`, workerEnv(this.ctx, this.stubUrl));
      const m = await this.load(`${target} workers`, 'stream', boundClients);
      single ??= m;
      this.ctx.details[`${scenario} ${target} workers`] = detail(m);
      addRow(this.ctx, scenario, {
        metric: `round trips/s, ${target} worker${target > 1 ? 's' : ''}`,
        unit: '',
        value: m.result.throughput,
        ...(target > 1 ? { reference: target * single.result.throughput, referenceName: `${target}× 1 worker`, target: atLeast(0.9) } : {}),
        note: noiseNote([m, single]),
      });
      errorRow(this.ctx, scenario, m, `${target} worker${target > 1 ? 's' : ''}`);
    }
    // The ceiling: the stub alone with as many streams as the largest pool runs at once.
    const streams = Math.max(...boundWorkers) * workerConcurrency;
    const direct = await this.load(`stub alone`, 'direct-llm', streams);
    this.ctx.details[`${scenario} stub alone`] = detail(direct);
    addRow(this.ctx, scenario, { metric: `stub alone, ${streams} streams, round trips/s`, unit: '', value: direct.result.throughput });
    addRow(this.ctx, scenario, { metric: `stub alone, ${streams} streams, latency p50`, unit: 'ms', value: direct.latency.p50 });
  }

  private async behave(behaviour: Record<string, unknown>): Promise<void> {
    const response = await fetch(`http://127.0.0.1:${this.stub.ports.control}/behaviour`, { method: 'PUT', body: JSON.stringify(behaviour) });
    if (!response.ok) throw new Error(`stub control answered ${response.status}`);
  }

  /** A measurement window of `clients` sessions: the stub directly, the system, or `via` a reference. */
  private async load(label: string, mode: 'direct-llm' | 'stream', clients: number, via?: ReferencePipeline): Promise<Measured> {
    const { m } = await quietly(this.ctx, `llm ${label}`, async () => ({ m: await this.loadOnce(label, mode, clients, via) }));
    return m;
  }

  private async loadOnce(label: string, mode: 'direct-llm' | 'stream', clients: number, via: ReferencePipeline | undefined): Promise<Measured> {
    this.ctx.log(`llm: ${label} (${mode}, ${clients} clients)`);
    const config: LoadConfig = {
      mode,
      url: mode === 'direct-llm' ? this.stubUrl : (via?.url ?? this.system.chatUrl),
      clients,
      protocols: mode === 'stream' ? [V2] : undefined,
      messages: QUESTIONS,
      idPrefix: this.ctx.idPrefix(),
      expectStreamed: mode === 'stream',
      replyTimeoutMs: 30_000,
    };
    const pool = await LoadPool.start('loadgen', config, Math.min(this.ctx.profile.generators, clients));
    try {
      const { warmupMs, measureMs, drainMs } = this.ctx.profile;
      const stub = { name: 'stub-llm', pid: this.stub.pid };
      const servers = via ? [...via.watched, stub] : [...this.system.watched(), ...this.ctx.infra.watched, stub];
      const profiled = via ? [] : profiledOf(this.ctx, this.system.watched());
      const [m] = await measure([pool], servers, { warmupMs, measureMs, drainMs }, undefined, profiled);
      this.ctx.log(`llm: ${label} measured${profiled.length > 0 ? ` (profile window ${++this.windows} of each service)` : ''}`);
      return m!;
    } finally {
      await pool.close();
    }
  }
}

const workerEnv = (ctx: Context, stubUrl: string) => ({
  LLM_BASE_URL: stubUrl,
  LLM_CONCURRENCY: String(ctx.profile.llm.workerConcurrency),
});

function skipAll(ctx: Context, why: string): void {
  ctx.rows.push(
    skippedRow('llm time to first token', 'added TTFT p50', why, atMost(3, 'value')),
    skippedRow('llm time to first token', 'added TTFT p99', why, atMost(15, 'value')),
    skippedRow('llm token relay', 'text streamed (chars/s)', why),
    ...ctx.profile.llm.boundWorkers.filter((n) => n > 1).map((n) => skippedRow('llm bound', `round trips/s, ${n} workers`, why, atLeast(0.9))),
  );
}
