import { z } from 'zod';
import { baseEnv, loadConfig, portSchema, positiveInt } from '@chatbot/runtime';

const schema = z.object({
  LOG_LEVEL: baseEnv.LOG_LEVEL,
  NATS_URL: baseEnv.NATS_URL,
  NATS_PREFIX: baseEnv.NATS_PREFIX,
  /** `stdio`: the client starts this process and speaks on its stdin/stdout; `http`: streamable HTTP at /mcp. */
  MCP_TRANSPORT: z.enum(['stdio', 'http']).default('stdio'),
  /** HTTP port (0 picks a free one, reported in the `ready` line). */
  MCP_PORT: portSchema.default(8012),
  MCP_HOST: z.string().min(1).default('127.0.0.1'),
  /** Budget of one request to qna-cache or persona. */
  TOOL_TIMEOUT_MS: positiveInt(5_000),
});

export type CardsConfig = z.infer<typeof schema>;

export function readCardsConfig(env: NodeJS.ProcessEnv = process.env): CardsConfig {
  return loadConfig(schema, env);
}
