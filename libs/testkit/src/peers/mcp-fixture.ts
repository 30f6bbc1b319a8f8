import { join } from 'node:path';

/** The compiled fixture MCP server (see mcp-fixture.server.ts), to run with `node`. */
export const mcpFixtureServerPath = join(__dirname, 'mcp-fixture.server.js');
