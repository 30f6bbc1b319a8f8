import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { isAppError, type Logger } from '@chatbot/runtime';
import { toolMessageContent, MAX_TOOL_RESULT_CHARS } from '../../answering/final-answer';
import type { DispatchMetrics } from '../../dispatch.metrics';
import type { CircuitState } from '../../llm/circuit-breaker';
import type { ResultToolCall, ToolDefinition, ToolMessage } from '../../llm/llm.types';
import type { ToolBus, ToolContext, ToolOutcome } from '../tool.executor';
import { exposeTools, validationDetails, type ExposedTool } from './mcp.catalog';
import type { IdentitySource, McpServerConfig } from './mcp.config';
import { McpConnection, type ConnectionOptions, type ConnectionState } from './mcp.connection';
import { isMcpToolError } from './mcp.errors';
import { McpInvoker, type InvokerOptions } from './mcp.invoker';
import { mapToolResult } from './mcp.result-mapper';

export const LOGIN_REQUIRED_MESSAGE = '이 정보는 로그인한 고객님만 확인하실 수 있어요. 먼저 로그인해 주세요.';

export interface McpToolboxOptions {
  servers: McpServerConfig[];
  connection: ConnectionOptions;
  invoker: InvokerOptions;
  /** Names the model already knows (the built-in tools): a server tool with one of them is left out. */
  reservedNames: string[];
  /** Budget of the persona request behind a `persona` identity. */
  identityTimeoutMs: number;
}

export interface McpToolboxDeps {
  bus: ToolBus;
  logger: Logger;
  metrics?: DispatchMetrics;
}

interface ServerEntry {
  config: McpServerConfig;
  connection: McpConnection;
  invoker: McpInvoker;
  tools: ExposedTool[];
}

/** What running one model tool call gives back: the tool message, and frame fields when it answered. */
export interface McpRun {
  message: ToolMessage;
  outcome?: ToolOutcome;
}

/**
 * The tools of every configured MCP server, beside the built-in ones: their definitions for the
 * model (kept current as servers come, go and change their lists) and the calls, with arguments
 * validated against each tool's declared schema and the caller's identity filled from the job.
 * A failing server never fails the answer: the model reads the error and answers without it.
 */
export class McpToolbox {
  private readonly servers: ServerEntry[];
  private index = new Map<string, ExposedTool>();

  constructor(
    private readonly options: McpToolboxOptions,
    private readonly deps: McpToolboxDeps,
  ) {
    this.servers = options.servers.map((config) => {
      const log = deps.logger.child({ mcpServer: config.name });
      const connection = new McpConnection(config, options.connection, (tools) => this.replaceTools(config.name, tools, log), log);
      const invoker = new McpInvoker(connection, { ...options.invoker, timeoutMs: config.timeoutMs ?? options.invoker.timeoutMs });
      return { config, connection, invoker, tools: [] };
    });
  }

  /** Connects in the background: the worker answers meanwhile, with the tools that are there. */
  start(): void {
    for (const server of this.servers) server.connection.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.connection.stop()));
  }

  definitions(): ToolDefinition[] {
    return [...this.index.values()].map((tool) => tool.definition);
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  describe(): Array<{ name: string; state: ConnectionState; tools: string[]; circuit: CircuitState }> {
    return this.servers.map((server) => ({
      name: server.config.name,
      state: server.connection.state,
      tools: server.tools.map((tool) => tool.name),
      circuit: server.invoker.circuitState,
    }));
  }

  async run(call: ResultToolCall, context: ToolContext, log: Logger): Promise<McpRun> {
    const tool = this.index.get(call.name);
    const reply = (content: unknown, outcome?: ToolOutcome): McpRun => ({
      message: { role: 'tool', tool_call_id: call.id, content: toolMessageContent(content) },
      ...(outcome ? { outcome } : {}),
    });
    if (!tool) return reply({ error: `unknown tool "${call.name}"` });
    const args = parseArguments(call.arguments);
    if (!args) return this.refuse(tool, reply({ error: 'arguments are not a JSON object' }), log);
    const identity = await this.identity(tool, context, log);
    if (identity === 'login_required') {
      this.count(tool, 'login_required');
      const outcome: ToolOutcome = { tool: tool.name, found: false, fields: { message: LOGIN_REQUIRED_MESSAGE, login_required: true }, modelView: {} };
      return reply({ error: 'login_required', message: LOGIN_REQUIRED_MESSAGE }, outcome);
    }
    if (identity === 'unavailable') return this.failed(tool, reply({ error: 'tool unavailable', code: 'IDENTITY_UNAVAILABLE' }));
    // Whatever the model sent for an identity argument is replaced by the job's.
    const full = { ...args, ...identity };
    if (!tool.validate(full)) {
      return this.refuse(tool, reply({ error: 'invalid arguments', details: validationDetails(tool.validate) }), log);
    }
    return this.invoke(tool, full, call, log);
  }

  private async invoke(tool: ExposedTool, args: Record<string, unknown>, call: ResultToolCall, log: Logger): Promise<McpRun> {
    const server = this.servers.find((entry) => entry.config.name === tool.server)!;
    try {
      const result = await server.invoker.call(tool.remoteName, args, tool.retryable);
      const mapped = mapToolResult(result, tool.mapping, MAX_TOOL_RESULT_CHARS);
      this.count(tool, result.isError ? 'tool_error' : 'found');
      log.debug({ tool: tool.name, isError: result.isError === true }, 'tool server answered');
      const outcome: ToolOutcome = { tool: tool.name, found: result.isError !== true, fields: mapped.fields, modelView: mapped.modelContent };
      return { message: { role: 'tool', tool_call_id: call.id, content: mapped.modelContent }, ...(result.isError ? {} : { outcome }) };
    } catch (error) {
      if (!isMcpToolError(error)) throw error;
      log.warn({ tool: tool.name, mcpServer: tool.server, code: error.code, err: error.message }, 'tool server call failed');
      const content = toolMessageContent({ error: 'tool unavailable', code: error.code });
      return this.failed(tool, { message: { role: 'tool', tool_call_id: call.id, content } });
    }
  }

  /** The hidden arguments' values, or why there are none. */
  private async identity(tool: ExposedTool, context: ToolContext, log: Logger): Promise<Record<string, string> | 'login_required' | 'unavailable'> {
    const values: Record<string, string> = {};
    for (const [argument, source] of Object.entries(tool.identity)) {
      const value = await this.identityValue(source, context, log);
      if (value === null || value === 'unavailable') return value ?? 'login_required';
      values[argument] = value;
    }
    return values;
  }

  private async identityValue(source: IdentitySource, context: ToolContext, log: Logger): Promise<string | null | 'unavailable'> {
    if (source === 'session') return context.sessionId;
    try {
      const { persona_id } = await this.deps.bus.request('binding', { session_id: context.sessionId }, { timeoutMs: this.options.identityTimeoutMs, correlationId: context.correlationId });
      return persona_id === null ? null : String(persona_id);
    } catch (error) {
      if (!isAppError(error)) throw error;
      // A session persona does not know (no socket, no binding) has nobody signed in.
      if (error.code === 'E4005') return null;
      log.warn({ err: error.message }, 'persona did not say who is signed in');
      return 'unavailable';
    }
  }

  private refuse(tool: ExposedTool, run: McpRun, log: Logger): McpRun {
    log.info({ tool: tool.name, refusal: run.message.content }, 'tool call refused');
    this.count(tool, 'refused');
    return run;
  }

  private failed(tool: ExposedTool, run: McpRun): McpRun {
    this.count(tool, 'error');
    return run;
  }

  private count(tool: ExposedTool, outcome: string): void {
    this.deps.metrics?.toolCalls.inc({ tool: tool.name, outcome });
  }

  private replaceTools(serverName: string, tools: Tool[], log: Logger): void {
    const entry = this.servers.find((server) => server.config.name === serverName)!;
    entry.tools = exposeTools(entry.config, tools, (tool, reason) => log.warn({ tool, reason }, 'tool left out'));
    const index = new Map<string, ExposedTool>();
    for (const server of this.servers) {
      for (const tool of server.tools) {
        if (this.options.reservedNames.includes(tool.name) || index.has(tool.name)) {
          if (server === entry) log.warn({ tool: tool.name }, 'tool left out: another tool has its name (set toolPrefix)');
          continue;
        }
        index.set(tool.name, tool);
      }
    }
    this.index = index;
  }
}

function parseArguments(raw: string): Record<string, unknown> | undefined {
  try {
    const value = raw.trim() === '' ? {} : (JSON.parse(raw) as unknown);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
