import { ORPHAN_SWEEP_MS, type Bus } from '@chatbot/bus';
import { consumers } from '@chatbot/proto';
import { createMetricsRegistry, every, type Logger, type OpsEndpoints } from '@chatbot/runtime';
import type { AnswerMode } from './answering/answer.types';
import { createAnswerer, createModelCaller } from './answering/answerer.factory';
import type { PromptSet } from './answering/prompt.loader';
import type { Config } from './config';
import { breakerStateValue, createDispatchMetrics } from './dispatch.metrics';
import { answeredCheck } from './jobs/answered.check';
import { ATTEMPTS_BUCKET, ATTEMPTS_TTL_MS, AttemptCounter } from './jobs/attempt.counter';
import { createJobHandler } from './jobs/job.handler';
import { queueDepthReader } from './jobs/queue-depth.reader';
import { ReplyPublisher } from './jobs/reply.publisher';
import { SessionHeadGuard } from './jobs/session-head.guard';
import { LiveSettings } from './settings/live.settings';
import { watchChatbotSettings } from './settings/settings.watch';
import { startSummaryWorker } from './summaries/summary.worker';
import { CatalogueCardNames } from './routing/catalogue.card-names';
import { createMcpToolbox } from './tools/mcp/mcp-toolbox.factory';
import { toolNames } from './tools/tool.definitions';
import { ToolExecutor } from './tools/tool.executor';

export interface AppDeps {
  bus: Bus;
  logger: Logger;
  config: Config;
  prompts: PromptSet;
}

export interface App {
  mode: AnswerMode;
  ops: OpsEndpoints;
  /** Stops pulling jobs, gives in-flight ones the grace period, drains NATS. */
  stop(): Promise<void>;
}

/** Time kept back from SHUTDOWN_GRACE_MS to release unfinished jobs and drain before the hard exit. */
const RELEASE_MARGIN_MS = 2_000;
/** While qna-cache has not given the card names, asked again this often. */
const CARD_NAMES_RETRY_MS = 5_000;
const BREAKER_GAUGE_MS = 5_000;

export async function createApp(deps: AppDeps): Promise<App> {
  const { bus, logger, config } = deps;
  await bus.ensureStreams(['LLM_JOBS', 'CHAT_REPLIES', 'LLM_SUMMARIES']);
  const registry = createMetricsRegistry('llm-dispatch');
  const readDepth = queueDepthReader(bus);
  const metrics = createDispatchMetrics(registry, readDepth);
  const tools = new ToolExecutor(bus, config.TOOL_TIMEOUT_MS, metrics);
  const cardNames = new CatalogueCardNames(bus, logger, { startWaitMs: config.CARD_NAMES_WAIT_MS, retryMs: CARD_NAMES_RETRY_MS });
  const mcp = createMcpToolbox(config, { bus, logger, metrics }, toolNames);
  mcp?.start();
  const settings = new LiveSettings({ systemPrompt: deps.prompts.system, model: config.LLM_MODEL, maxTokens: config.LLM_MAX_TOKENS }, logger);
  const settingsWatch = await watchChatbotSettings(bus, settings);
  const model = createModelCaller(config, metrics);
  const answerer = createAnswerer({ bus, config, tools, prompts: deps.prompts, settings, cardNames, ...(model ? { model } : {}), ...(mcp ? { mcp } : {}) });
  logStartMode(logger, answerer.describe(), config, deps.prompts);
  // Only the retrieval rules look for card names; a model reads them itself.
  if (answerer.mode === 'retrieval') await cardNames.start();

  const answered = answeredCheck(bus, config.HISTORY_TIMEOUT_MS);
  const handler = createJobHandler({
    head: new SessionHeadGuard(bus, config.JOB_STUCK_AFTER_MS, answered, logger),
    attempts: new AttemptCounter(await bus.kv(ATTEMPTS_BUCKET, ATTEMPTS_TTL_MS), () => bus.reopenKvIfLost(ATTEMPTS_BUCKET, ATTEMPTS_TTL_MS)),
    answered,
    answerer,
    publisher: new ReplyPublisher(bus, { deltaWindowMs: config.DELTA_COALESCE_MS }),
    metrics,
    incidents: bus.incidents,
    logger,
    maxAttempts: config.JOB_MAX_ATTEMPTS,
  });
  await bus.consumeJobs(
    'llmJob',
    { stream: 'LLM_JOBS', durable: consumers.llmDispatch.durable, ackWaitMs: config.JOB_ACK_WAIT_MS, maxDeliver: -1, maxAckPending: 10_000 },
    { concurrency: config.LLM_CONCURRENCY, heartbeatMs: Math.floor(config.JOB_ACK_WAIT_MS / 3) },
    handler,
  );
  await startSummaryWorker({ bus, config, logger, settings, ...(model ? { model } : {}) });
  bus.serve('queueDepth', () => readDepth());
  bus.serveOpsMetrics('llm-dispatch', registry);
  // open → half-open happens with time alone: keep the gauge honest between calls
  const breakerGauge = every('breaker-gauge', BREAKER_GAUGE_MS, logger, async () => {
    if (answerer.circuitState) metrics.breakerState.set(breakerStateValue[answerer.circuitState()]);
  });

  // Jobs a crashed broker kept below the consumer's ack floor would never be delivered, and as
  // their session's head they would hold back its later jobs too.
  const orphans = bus.orphanSweep(consumers.llmDispatch);
  const orphanSweep = every('job-orphans', ORPHAN_SWEEP_MS, logger, async () => void (await orphans()));

  return {
    mode: answerer.mode,
    ops: { service: 'llm-dispatch', registry, readiness: { nats: () => bus.ping() }, info: () => ({ ...answerer.describe(), ...(mcp ? { mcp_servers: mcp.describe() } : {}) }) },
    async stop() {
      await breakerGauge.stop();
      settingsWatch.stop();
      cardNames.stop();
      await orphanSweep.stop();
      await bus.close(Math.max(0, config.SHUTDOWN_GRACE_MS - RELEASE_MARGIN_MS));
      await mcp?.stop(); // after the jobs in flight, which may still call tools
    },
  };
}

function logStartMode(logger: Logger, facts: Record<string, unknown>, config: Config, prompts: PromptSet): void {
  if (!config.LLM_BASE_URL) return void logger.info(facts, 'answer mode: retrieval (LLM_BASE_URL unset)');
  const llmServer = new URL(config.LLM_BASE_URL).host; // never the key, nor a path that may hold one
  logger.info({ ...facts, llm_server: llmServer, system_prompt: prompts.source, persona_prompts: prompts.personas.size }, 'answer mode: llm');
}
