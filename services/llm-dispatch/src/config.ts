import { z } from 'zod';
import { baseEnv, loadConfig, positiveInt } from '@chatbot/runtime';
import { mcpServersEnv } from './tools/mcp/mcp.config';

const nonNegativeInt = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

const schema = z.object({
  ...baseEnv,
  /** Unset: answers come from the retrieval tools alone; set: an OpenAI-compatible server answers. */
  LLM_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  LLM_API_KEY: z.string().optional(),
  LLM_MODEL: z.string().min(1).default('gpt-4o-mini'),
  LLM_SYSTEM_PROMPT_FILE: z.string().optional(),
  LLM_SYSTEM_PROMPT: z.string().optional(),
  /** JSON object `{"<persona_id>": "prompt"}`, used for sessions bound to that persona. */
  LLM_PERSONA_PROMPTS_FILE: z.string().optional(),
  LLM_HISTORY_TURNS: nonNegativeInt(10),
  LLM_MAX_TOOL_ROUNDS: positiveInt(3),
  LLM_TIMEOUT_MS: positiveInt(60_000),
  LLM_MAX_RETRIES: nonNegativeInt(3),
  LLM_BACKOFF_BASE_MS: positiveInt(500),
  LLM_BACKOFF_MAX_MS: positiveInt(8_000),
  LLM_MAX_TOKENS: positiveInt(1024),
  LLM_BREAKER_FAILURES: positiveInt(5),
  LLM_BREAKER_COOLDOWN_MS: positiveInt(30_000),
  LLM_CONCURRENCY: positiveInt(8),
  /**
   * How long a job may go without an in-progress ack before the broker hands it to another worker.
   * Well under the gateway's REPLY_TIMEOUT_MS: it is also how long a job waits whose ack or nak a
   * restarting broker dropped. Long LLM calls are kept alive by in-progress acks (every third of it).
   */
  JOB_ACK_WAIT_MS: z.coerce.number().int().min(1_000).default(10_000),
  /**
   * A session's oldest job still queued after this long is taken as stuck (a restarted broker that
   * no longer delivers it) and queued again, so the session's later jobs move on. Keep it above
   * the longest one reply can take (LLM_TIMEOUT_MS × tool rounds and retries).
   */
  JOB_STUCK_AFTER_MS: positiveInt(180_000),
  /** Real attempts (not head-of-line bounces) before a job is answered with a failure. */
  JOB_MAX_ATTEMPTS: positiveInt(5),
  /** Summary jobs one worker runs at once (beside LLM_CONCURRENCY answers). */
  SUMMARY_CONCURRENCY: positiveInt(2),
  /** Deliveries of a summary job; the model is tried on all but the last, which writes an extractive summary. */
  SUMMARY_MAX_ATTEMPTS: positiveInt(3),
  /** First redelivery delay of a failed summary job; doubles per delivery up to 5 s. */
  SUMMARY_RETRY_DELAY_MS: positiveInt(1_000),
  /** Time budget of one request to another service by a tool. */
  TOOL_TIMEOUT_MS: positiveInt(5_000),
  /** Time budget of the requests around a job: chat-log's "already answered?" and the persona binding. */
  HISTORY_TIMEOUT_MS: positiveInt(1_500),
  /** Retrieval mode: how long start-up waits for qna-cache to give the card names (then it asks again later). */
  CARD_NAMES_WAIT_MS: nonNegativeInt(10_000),
  /** Text streamed within this window after a delta goes out as one delta (0: within one event-loop turn). */
  DELTA_COALESCE_MS: nonNegativeInt(15),
  /** How long a session's persona binding is reused before persona is asked again (0: every job). */
  PERSONA_CACHE_TTL_MS: nonNegativeInt(30_000),
  /**
   * MCP tool servers (llm mode only), a JSON array:
   * `[{"name", "url" | "command"+"args", "toolPrefix"?, "identity"?, "mapping"?, ...}]` (see README).
   */
  MCP_SERVERS: mcpServersEnv,
  /** Per attempt of one tool call (a server's `timeoutMs` wins), and of the handshake and tools/list. */
  MCP_TIMEOUT_MS: positiveInt(5_000),
  /** Retries of a read-only or idempotent tool after a timeout or a broken connection. */
  MCP_MAX_RETRIES: nonNegativeInt(1),
  MCP_BACKOFF_BASE_MS: positiveInt(200),
  MCP_BACKOFF_MAX_MS: positiveInt(2_000),
  MCP_BREAKER_FAILURES: positiveInt(5),
  MCP_BREAKER_COOLDOWN_MS: positiveInt(30_000),
  /** A server that is down is tried again after at most this long (capped, jittered backoff from 500 ms). */
  MCP_RECONNECT_MAX_MS: positiveInt(30_000),
});

export type Config = z.infer<typeof schema>;

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig(schema, env);
}
