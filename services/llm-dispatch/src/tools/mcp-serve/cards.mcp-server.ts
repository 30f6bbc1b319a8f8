import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { isAppError, type Logger } from '@chatbot/runtime';
import { toolArguments, toolDefinitions, toolNames, type ToolCallRequest } from '../tool.definitions';
import type { ToolExecutor } from '../tool.executor';

export const CARDS_SERVER_NAME = 'chatbot-cards';

/**
 * consumption_recommend reads the spending of the persona a session is signed in as; over MCP the
 * session is an argument the calling assistant fills from its own user, not something its model
 * should choose (llm-dispatch: `"identity": {"session_id": "session"}`).
 */
const sessionArgument = z.object({
  session_id: z.uuid().describe('The chat session of the signed-in user. Set by the assistant platform, never from the conversation.'),
});

/** The structured result: the frame fields the built-in tool produces, and the data the model reads. */
function result(structured: Record<string, unknown>, modelView: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(modelView) }], structuredContent: structured };
}

/**
 * The five built-in card tools as an MCP server, so any assistant can use the knowledge qna-cache
 * (FAQ, terms, cards) and persona (spending) own. Same argument schemas, same bus requests, same
 * frame fields as llm-dispatch's own tool calls: it runs the same executor.
 */
export function createCardsServer(executor: ToolExecutor, logger: Logger, version: string): McpServer {
  const server = new McpServer({ name: CARDS_SERVER_NAME, version });
  for (const name of toolNames) {
    const description = toolDefinitions.find((definition) => definition.function.name === name)!.function.description;
    const shape: z.ZodRawShape = (name === 'consumption_recommend' ? sessionArgument : toolArguments[name]).shape;
    server.registerTool(name, {
      description,
      inputSchema: shape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    }, async (args: Record<string, unknown>): Promise<CallToolResult> => {
      const sessionId = typeof args['session_id'] === 'string' ? args['session_id'] : '';
      const call = { tool: name, args: name === 'consumption_recommend' ? {} : args } as ToolCallRequest;
      try {
        const outcome = await executor.run(call, { sessionId, correlationId: randomUUID() });
        return result({ ...outcome.fields, found: outcome.found, data: outcome.modelView }, outcome.modelView);
      } catch (error) {
        if (!isAppError(error)) throw error;
        logger.warn({ tool: name, code: error.code, err: error.message }, 'tool failed');
        return { content: [{ type: 'text', text: `${error.code}: the knowledge service did not answer` }], isError: true };
      }
    });
  }
  return server;
}
