import type { LlmJobV1, TokenUsage } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import type { CircuitState } from '../llm/circuit-breaker';
import type { ChatMessage, ChatResult, ResultToolCall } from '../llm/llm.types';
import { parseToolCall, toolDefinitions } from '../tools/tool.definitions';
import type { McpToolbox } from '../tools/mcp/mcp.toolbox';
import type { ToolContext, ToolExecutor, ToolOutcome } from '../tools/tool.executor';
import type { Answer, AnswerRequest, Answerer, DeltaSink } from './answer.types';
import type { ConversationMemory, Memory } from './conversation.memory';
import { finalFields, toolMessageContent } from './final-answer';
import type { ModelCaller } from './model.caller';
import { buildMessages } from './prompt.builder';
import type { PromptSet } from './prompt.loader';
import type { LiveSettings } from '../settings/live.settings';
import { ESCALATION_REPLY, ESCALATION_TOOL, escalationDefinition, type Escalation } from '../tools/escalation.tool';

export interface LlmAnswererDeps {
  model: ModelCaller;
  tools: ToolExecutor;
  /** `escalate_to_human`: hands the conversation to a person. */
  escalation: Escalation;
  /** Tools of MCP servers, offered beside the built-in ones. */
  mcp?: McpToolbox;
  memory: ConversationMemory;
  prompts: PromptSet;
  /** The chatbot settings in force (system prompt, model, temperature, max tokens), read per job. */
  settings: Pick<LiveSettings, 'current'>;
  maxToolRounds: number;
}

/** Text of every round, streamed as it comes; rounds are separated by a blank line. */
class StreamedText {
  text = '';
  private roundStarted = false;

  constructor(private readonly sink: DeltaSink) {}

  newRound(): void {
    this.roundStarted = false;
  }

  write = (piece: string): void => {
    if (!this.roundStarted && this.text !== '') this.emit('\n\n');
    this.roundStarted = true;
    this.emit(piece);
  };

  private emit(piece: string): void {
    this.text += piece;
    this.sink.delta(piece);
  }
}

function addUsage(total: TokenUsage | undefined, result: ChatResult): TokenUsage | undefined {
  if (!result.usage) return total;
  const base = total ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  return {
    prompt_tokens: base.prompt_tokens + result.usage.prompt_tokens,
    completion_tokens: base.completion_tokens + result.usage.completion_tokens,
    total_tokens: base.total_tokens + result.usage.total_tokens,
  };
}

/**
 * The model answers with the five tools at hand. After `maxToolRounds` rounds of tool calls it
 * gets one last call without tools, so the loop always ends with text.
 */
export class LlmAnswerer implements Answerer {
  readonly mode = 'llm' as const;

  constructor(private readonly deps: LlmAnswererDeps) {}

  prefetch(job: LlmJobV1, correlationId: string, log: Logger): Promise<Memory> {
    return this.deps.memory.load(job, correlationId, log);
  }

  async answer({ job, correlationId, log, deltas, memory: prefetched }: AnswerRequest): Promise<Answer> {
    const { deps } = this;
    const memory = await (prefetched ?? this.prefetch(job, correlationId, log));
    const personaPrompt = memory.personaId === null ? undefined : deps.prompts.personas.get(memory.personaId);
    // A message's own system prompt (the gateway let only allowed callers set one) replaces the
    // configured one while the settings allow it.
    const settings = deps.settings.current();
    const systemPrompt = settings.allowClientSystemPrompt && job.system_prompt ? job.system_prompt : settings.systemPrompt;
    const messages = buildMessages({ systemPrompt, personaPrompt, history: memory.history, userText: job.text });
    const modelOptions = { model: settings.model, maxTokens: settings.maxTokens, ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }) };
    const context: ToolContext = { sessionId: job.session_id, correlationId };
    const streamed = new StreamedText(deltas);
    let usage: TokenUsage | undefined;
    let lastTool: ToolOutcome | undefined;
    for (let round = 0; ; round += 1) {
      const toolsAllowed = round < deps.maxToolRounds;
      streamed.newRound();
      const tools = toolsAllowed ? [...toolDefinitions, escalationDefinition(settings.handoff.categories), ...(deps.mcp?.definitions() ?? [])] : undefined;
      const result = await deps.model.stream({ messages, tools, ...modelOptions }, streamed.write);
      usage = addUsage(usage, result);
      if (!toolsAllowed || result.toolCalls.length === 0) break;
      if (await this.escalated(result.toolCalls, context, log, streamed)) return { fields: finalFields(streamed.text, undefined), ...(usage ? { usage } : {}) };
      messages.push({ role: 'assistant', content: result.content || null, tool_calls: result.toolCalls.map(wireCall) });
      for (const call of result.toolCalls) {
        const { message, outcome } = await this.runTool(call, context, log);
        messages.push(message);
        lastTool = outcome ?? lastTool;
      }
    }
    return { fields: finalFields(streamed.text, lastTool), ...(usage ? { usage } : {}) };
  }

  /**
   * An escalation ends the answer: the other calls of the round are not run (a person takes over),
   * and the reply is the fixed sentence. When chat-log refuses (the conversation is completed), the
   * model goes on without it, told so.
   */
  private async escalated(calls: ResultToolCall[], context: ToolContext, log: Logger, streamed: StreamedText): Promise<boolean> {
    if (!calls.some((call) => call.name === ESCALATION_TOOL)) return false;
    if (!(await this.deps.escalation.escalate(context, log))) return false;
    streamed.newRound();
    streamed.write(ESCALATION_REPLY);
    return true;
  }

  /** A refused call goes back to the model as a tool error, so it can correct its arguments. */
  private async runTool(call: ResultToolCall, context: ToolContext, log: Logger): Promise<{ message: ChatMessage; outcome?: ToolOutcome }> {
    if (this.deps.mcp?.has(call.name)) return this.deps.mcp.run(call, context, log);
    if (call.name === ESCALATION_TOOL) return { message: { role: 'tool', tool_call_id: call.id, content: toolMessageContent({ error: 'the conversation cannot be handed to a person now; answer yourself' }) } };
    const parsed = parseToolCall(call.name, call.arguments);
    if (!parsed.ok) {
      log.info({ tool: call.name, error: parsed.error, details: parsed.details }, 'tool call refused');
      const content = toolMessageContent({ error: parsed.error, ...(parsed.details ? { details: parsed.details } : {}) });
      return { message: { role: 'tool', tool_call_id: call.id, content } };
    }
    const outcome = await this.deps.tools.run(parsed.call, context);
    log.debug({ tool: call.name, found: outcome.found }, 'tool answered');
    return { message: { role: 'tool', tool_call_id: call.id, content: toolMessageContent(outcome.modelView) }, outcome };
  }

  describe(): Record<string, unknown> {
    const settings = this.deps.settings.current();
    return { mode: this.mode, model: settings.model, settings_version: settings.version, llm_circuit: this.circuitState() };
  }

  circuitState(): CircuitState {
    return this.deps.model.circuitState;
  }
}

function wireCall(call: ResultToolCall) {
  return { id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments || '{}' } };
}
