import { join } from 'node:path';
import { z } from 'zod';
import { loadConfig, portSchema } from '@chatbot/runtime';

const schema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `stdio`: the client starts this process and speaks on its stdin/stdout; `http`: streamable HTTP at /mcp. */
  MCP_TRANSPORT: z.enum(['stdio', 'http']).default('stdio'),
  /** HTTP port (0 picks a free one, reported in the `ready` line). */
  MCP_PORT: portSchema.default(8011),
  MCP_HOST: z.string().min(1).default('127.0.0.1'),
  /** The order system's data (JSON: `{ "orders": [...] }`). */
  ORDERS_FILE: z.string().min(1).default(join(__dirname, '..', 'data', 'orders.json')),
});

export type Config = z.infer<typeof schema>;

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig(schema, env);
}
