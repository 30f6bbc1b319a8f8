import type { Bus } from '@chatbot/bus';
import type { Config } from '../config';
import type { DispatchMetrics } from '../dispatch.metrics';
import { sleep, type Sleep } from '../llm/backoff';
import { LlmClient } from '../llm/llm.client';
import type { CardNameMatcher } from '../routing/card-name.matcher';
import type { McpToolbox } from '../tools/mcp/mcp.toolbox';
import type { ToolExecutor } from '../tools/tool.executor';
import type { Answerer } from './answer.types';
import { ConversationMemory } from './conversation.memory';
import { LlmAnswerer } from './llm.answerer';
import { ModelCaller } from './model.caller';
import type { PromptSet } from './prompt.loader';
import { RetrievalAnswerer } from './retrieval.answerer';
import type { LiveSettings } from '../settings/live.settings';
import { createEscalation } from '../tools/escalation.tool';

export interface AnswererDeps {
  bus: Bus;
  config: Config;
  /** Absent in retrieval mode (LLM_BASE_URL unset). */
  model?: ModelCaller;
  tools: ToolExecutor;
  prompts: PromptSet;
  /** The chatbot settings in force, read per job. */
  settings: LiveSettings;
  /** The catalogue's card names, for the retrieval rules. */
  cardNames: { namesCard: CardNameMatcher };
  /** MCP servers' tools; only a model can choose among them. */
  mcp?: McpToolbox;
}

/** The model, when LLM_BASE_URL is set: one client (and circuit breaker) for answers and summaries. */
export function createModelCaller(config: Config, metrics: DispatchMetrics): ModelCaller | undefined {
  if (!config.LLM_BASE_URL) return undefined;
  // The client sleeps only before a retry: counting the sleeps counts the retries.
  const countedSleep: Sleep = (ms, signal) => {
    metrics.retries.inc();
    return sleep(ms, signal);
  };
  const client = new LlmClient(
    {
      baseUrl: config.LLM_BASE_URL,
      apiKey: config.LLM_API_KEY,
      model: config.LLM_MODEL,
      timeoutMs: config.LLM_TIMEOUT_MS,
      maxRetries: config.LLM_MAX_RETRIES,
      backoffBaseMs: config.LLM_BACKOFF_BASE_MS,
      backoffMaxMs: config.LLM_BACKOFF_MAX_MS,
      maxTokens: config.LLM_MAX_TOKENS,
      breaker: { failureThreshold: config.LLM_BREAKER_FAILURES, cooldownMs: config.LLM_BREAKER_COOLDOWN_MS },
    },
    { sleep: countedSleep },
  );
  return new ModelCaller(client, metrics);
}

/** The mode is fixed at start-up: a model when LLM_BASE_URL is set, the retrieval rules otherwise. */
export function createAnswerer(deps: AnswererDeps): Answerer {
  const { config } = deps;
  if (!deps.model) return new RetrievalAnswerer(deps.tools, deps.cardNames);
  const memory = new ConversationMemory(deps.bus, {
    historyTurns: config.LLM_HISTORY_TURNS,
    timeoutMs: config.HISTORY_TIMEOUT_MS,
    wantPersona: deps.prompts.personas.size > 0,
    personaTtlMs: config.PERSONA_CACHE_TTL_MS,
  });
  return new LlmAnswerer({
    model: deps.model,
    settings: deps.settings,
    tools: deps.tools,
    escalation: createEscalation(deps.bus, config.TOOL_TIMEOUT_MS),
    ...(deps.mcp ? { mcp: deps.mcp } : {}),
    memory,
    prompts: deps.prompts,
    maxToolRounds: config.LLM_MAX_TOOL_ROUNDS,
  });
}
