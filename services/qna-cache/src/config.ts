import { join } from 'node:path';
import { z } from 'zod';
import { baseEnv, databaseEnv, loadConfig, positiveInt } from '@chatbot/runtime';

/** The Postgres schema holding every qna-cache table. */
export const DB_SCHEMA = 'qna_cache';

export const configSchema = z.object({
  ...baseEnv,
  ...databaseEnv,
  /** Folder of faqs.json, terms.json and cards.json; by default the package's data/ next to dist/. */
  QNA_DATA_DIR: z.string().min(1).default(join(__dirname, '..', 'data')),
  /** Most inbound messages routed per micro-batch. */
  ROUTER_MAX_BATCH: positiveInt(64),
  /** Interval of the view-count write; a crash loses at most the views of one interval. */
  VIEW_FLUSH_MS: positiveInt(1_000),
  /** How long a delivered inbound message may stay unacknowledged before it is redelivered. */
  ROUTER_ACK_WAIT_MS: positiveInt(10_000),
});

export type Config = z.infer<typeof configSchema>;

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig(configSchema, env);
}
