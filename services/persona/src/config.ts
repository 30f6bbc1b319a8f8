import { z } from 'zod';
import { baseEnv, databaseEnv, loadConfig, positiveInt } from '@chatbot/runtime';

const schema = z.object({
  ...baseEnv,
  ...databaseEnv,
  /** How long the gateway holding a session's socket gets to confirm it is connected. */
  PRESENCE_TIMEOUT_MS: positiveInt(1_000),
});

export type Config = z.infer<typeof schema>;

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig(schema, env);
}
