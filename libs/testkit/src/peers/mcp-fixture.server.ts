import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

/**
 * A real MCP server (official SDK, over stdio) with the misbehaviours a client must survive, for
 * tests of MCP clients: run `node <mcpFixtureServerPath>` as the server's command.
 * - `echo {text}` answers at once (read-only);
 * - `wait_forever {}` never answers (read-only, so a client may retry it);
 * - `add_tool {name}` registers a tool of that name, which makes the server send
 *   `notifications/tools/list_changed` as any server whose tools change does.
 */
async function main(): Promise<void> {
  const server = new McpServer({ name: 'testkit-fixture', version: '0.1.0' });
  server.registerTool('echo', {
    description: 'Returns the text it was given.',
    inputSchema: { text: z.string().min(1).max(200) },
    annotations: { readOnlyHint: true },
  }, ({ text }) => ({ content: [{ type: 'text', text }], structuredContent: { echoed: text } }));
  server.registerTool('wait_forever', {
    description: 'Never answers.',
    inputSchema: {},
    annotations: { readOnlyHint: true },
  }, () => new Promise<never>(() => undefined));
  server.registerTool('add_tool', {
    description: 'Adds a tool to this server.',
    inputSchema: { name: z.string().regex(/^[a-z_]{1,32}$/) },
  }, ({ name }) => {
    server.registerTool(name, { description: `Added at run time: ${name}.`, inputSchema: {} }, () => ({ content: [{ type: 'text', text: name }] }));
    return { content: [{ type: 'text', text: `added ${name}` }] };
  });
  process.stdin.once('end', () => process.exit(0)); // the client is gone, even if it died
  await server.connect(new StdioServerTransport());
}

main().catch((error: unknown) => {
  process.stderr.write(`mcp fixture failed: ${String(error)}\n`);
  process.exit(1);
});
