import { z } from 'zod';
import { baseEnv, databaseEnv, loadConfig, positiveInt } from '@chatbot/runtime';

const schema = z.object({
  ...baseEnv,
  ...databaseEnv,
  /** A stored turn with no reply after this long gets a failure reply, so the session moves on. */
  RELEASE_DEADLINE_MS: positiveInt(120_000),
  /**
   * A stored turn with no reply after this long is published again (its job or candidate may be
   * lost with a crashed broker); 0 turns the re-drive off. Keep it under the gateway's
   * REPLY_TIMEOUT_MS and above most answers' time to their first committed reply.
   */
  REDRIVE_AFTER_MS: z.coerce.number().int().min(0).default(8_000),
  /** How often the release-deadline sweep runs. */
  DEADLINE_SWEEP_MS: positiveInt(5_000),
  /** How often unpublished releases are re-published (and how old they must be). */
  OUTBOX_INTERVAL_MS: positiveInt(2_000),
  /** Most frames one `frames` request returns; a client further behind must resync. */
  REPLAY_LIMIT: positiveInt(1_000),
  /**
   * Exchanges of conversation each chat.stored event carries (a message and its reply each, plus
   * the pushes between them), for the LLM job. 0 (the default) carries none and reads none: the
   * worker asks for the history of the jobs that need it, and a cache hit costs no history read
   * (carrying 10 halved cache-hit throughput in the bench, docs/decisions.md entry 10).
   */
  HISTORY_TURNS: z.coerce.number().int().min(0).max(100).default(0),
  /** Largest micro-batch of user messages stored in one transaction. */
  INBOUND_BATCH: positiveInt(256),
  /** Largest micro-batch of reply candidates committed in one transaction. */
  REPLY_BATCH: positiveInt(256),
  /**
   * How long a delivered message may stay unacknowledged before the broker redelivers it: the
   * time to recover the work of a process that died, or a delivery a restarting broker lost.
   * Held batches are kept alive meanwhile.
   */
  CONSUMER_ACK_WAIT_MS: positiveInt(10_000),
  DATABASE_POOL_SIZE: positiveInt(10),
  /** Uploads one account may start in a day (pending ones count), and bytes it may store in a day. */
  ATTACHMENT_DAILY_UPLOADS: positiveInt(50),
  ATTACHMENT_DAILY_BYTES: positiveInt(200 * 1024 * 1024),
  /**
   * A pending upload older than this was cut off: the sweep removes its bytes and row. Keep it
   * well above the gateway's UPLOAD_TIMEOUT_MS.
   */
  ATTACHMENT_GRACE_MS: positiveInt(3_600_000),
  /** How often the sweep of cut-off (and expired) uploads runs. */
  ATTACHMENT_SWEEP_MS: positiveInt(60_000),
  /** Days an attachment is kept after its upload completed; 0: as long as its conversation. */
  ATTACHMENT_RETENTION_DAYS: z.coerce.number().int().min(0).default(0),
  /**
   * Comma-separated phrases (matched case-insensitively anywhere in a message) that move a `bot`
   * conversation to `waiting`: the message goes to an agent instead of the assistant. Empty: none.
   */
  HANDOFF_KEYWORDS: z
    .string()
    .default('')
    .transform((list) => list.split(',').map((k) => k.trim().toLowerCase()).filter((k) => k.length > 0)),
  /**
   * A message on a completed conversation: `reopen` (back to `bot`, the assistant answers) or
   * `new_conversation` (refused with E4031: the client starts a new session).
   */
  COMPLETED_MESSAGES: z.enum(['reopen', 'new_conversation']).default('reopen'),
});

export type Config = z.infer<typeof schema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig(schema, env);
