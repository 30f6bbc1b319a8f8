import { z } from 'zod';
import { accessTokenEnv } from '@chatbot/auth';
import { baseEnv, databaseEnv, loadConfig, positiveInt } from '@chatbot/runtime';

/** OWASP's minimum for argon2id (Password Storage Cheat Sheet): 19 MiB, 2 passes, 1 lane. */
const ARGON2_MIN_MEMORY_KIB = 19_456;
const ARGON2_MIN_TIME_COST = 2;

const schema = z.object({
  ...baseEnv,
  ...databaseEnv,
  /** How long the gateway holding a session's socket gets to confirm it is connected. */
  PRESENCE_TIMEOUT_MS: positiveInt(1_000),
  ...accessTokenEnv,
  /** Life of one refresh token; every refresh issues a new one. */
  REFRESH_TOKEN_TTL_DAYS: positiveInt(30),
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(ARGON2_MIN_MEMORY_KIB, 'at least 19456 (OWASP minimum)').default(ARGON2_MIN_MEMORY_KIB),
  ARGON2_TIME_COST: z.coerce.number().int().min(ARGON2_MIN_TIME_COST, 'at least 2 (OWASP minimum)').default(ARGON2_MIN_TIME_COST),
  ARGON2_PARALLELISM: positiveInt(1),
  /** Failed logins an account, and a client address, may have per window before E4004. */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: positiveInt(10),
  LOGIN_MAX_FAILURES_PER_ADDRESS: positiveInt(30),
  LOGIN_THROTTLE_WINDOW_SECONDS: positiveInt(900),
  /**
   * How long a counted message id is kept to refuse a second copy. A copy can only arrive while
   * CHAT_USAGE keeps messages (7 days), so anything shorter could count one twice.
   */
  USAGE_DEDUPE_DAYS: z.coerce.number().int().min(8, 'at least 8 (CHAT_USAGE keeps a message 7 days)').default(8),
  /** Expiry of a new API key when its creator gives none. */
  API_KEY_EXPIRY_DAYS: positiveInt(90),
  /**
   * Sign-in with an OpenID Connect provider: off unless OIDC_ISSUER is set, and then the client id,
   * secret and redirect URL (the gateway's `/api/auth/oidc/callback` as the browser reaches it) too.
   */
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(16, 'at least 16 characters (it also keys the sealed sign-in cookie)').optional(),
  OIDC_REDIRECT_URL: z.url().optional(),
  OIDC_SCOPES: z.string().regex(/(^|\s)openid(\s|$)/, 'must include openid').default('openid email profile'),
}).superRefine((env, ctx) => {
  if (!env.OIDC_ISSUER) return;
  for (const name of ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URL'] as const) {
    if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'required when OIDC_ISSUER is set' });
  }
});

export type Config = z.infer<typeof schema>;

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig(schema, env);
}
