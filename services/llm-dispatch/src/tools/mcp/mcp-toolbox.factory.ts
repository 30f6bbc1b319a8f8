import type { Logger } from '@chatbot/runtime';
import type { Config } from '../../config';
import type { DispatchMetrics } from '../../dispatch.metrics';
import type { ToolBus } from '../tool.executor';
import { McpToolbox } from './mcp.toolbox';

/** First wait before reconnecting to a server that is down (then doubling, jittered, up to MCP_RECONNECT_MAX_MS). */
const RECONNECT_BASE_MS = 500;

/** The toolbox MCP_SERVERS describes, or none: without servers, or in retrieval mode where no model picks tools. */
export function createMcpToolbox(
  config: Config,
  deps: { bus: ToolBus; logger: Logger; metrics?: DispatchMetrics },
  builtInNames: string[],
): McpToolbox | undefined {
  if (config.MCP_SERVERS.length === 0) return undefined;
  if (!config.LLM_BASE_URL) {
    deps.logger.warn({ servers: config.MCP_SERVERS.map((server) => server.name) }, 'MCP_SERVERS ignored: retrieval mode has no model to call tools');
    return undefined;
  }
  return new McpToolbox(
    {
      servers: config.MCP_SERVERS,
      connection: { requestTimeoutMs: config.MCP_TIMEOUT_MS, reconnectBaseMs: RECONNECT_BASE_MS, reconnectMaxMs: config.MCP_RECONNECT_MAX_MS },
      invoker: {
        timeoutMs: config.MCP_TIMEOUT_MS,
        maxRetries: config.MCP_MAX_RETRIES,
        backoffBaseMs: config.MCP_BACKOFF_BASE_MS,
        backoffMaxMs: config.MCP_BACKOFF_MAX_MS,
        breaker: { failureThreshold: config.MCP_BREAKER_FAILURES, cooldownMs: config.MCP_BREAKER_COOLDOWN_MS },
      },
      reservedNames: builtInNames,
      identityTimeoutMs: config.TOOL_TIMEOUT_MS,
    },
    deps,
  );
}
