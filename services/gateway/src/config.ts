import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import { accessTokenEnv } from '@chatbot/auth';
import { Role } from '@chatbot/proto';
import { baseEnv, loadConfig, portSchema, positiveInt } from '@chatbot/runtime';

const positiveRate = (fallback: number) => z.coerce.number().positive().finite().default(fallback);

/** A NATS-friendly instance name: the host (pods share names across restarts) plus a random suffix. */
function defaultGatewayId(): string {
  const host = hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 48) || 'gateway';
  return `${host}-${randomBytes(3).toString('hex')}`;
}

/** The shared variables but OPS_PORT: the gateway serves /healthz, /readyz and /metrics on PORT, next to its API. */
export const GatewayEnv = z
  .object({
    ...baseEnv,
    PORT: portSchema.default(8080),
    /** Comma-separated origins allowed to call the API; `*` allows any. */
    CORS_ORIGINS: z
      .string()
      .default('*')
      .transform((list) => list.split(',').map((origin) => origin.trim()).filter(Boolean)),
    MAX_MESSAGE_CHARS: positiveInt(4000),
    REPLY_TIMEOUT_MS: positiveInt(30_000),
    REQUEST_TIMEOUT_MS: positiveInt(5_000),
    /** How long `GET /api/admin/dashboard` waits for the services' answers to `ops.metrics.v1`. */
    DASHBOARD_GATHER_MS: positiveInt(750),
    /** How long a message waits for the broker's ack before the user is told it was not taken. */
    PUBLISH_TIMEOUT_MS: positiveInt(3_000),
    WS_MAX_PAYLOAD_BYTES: positiveInt(65_536),
    /** Client frames a second one socket may send (token bucket refill) and its burst. */
    WS_RATE_PER_CONN: positiveRate(10),
    WS_BURST_PER_CONN: positiveInt(20),
    /** The same across every socket of one client address. */
    WS_RATE_PER_IP: positiveRate(50),
    WS_BURST_PER_IP: positiveInt(100),
    /** Open sockets one client address may hold; further upgrades get HTTP 429. */
    WS_MAX_CONN_PER_IP: positiveInt(50),
    /** Bytes queued for a socket above which its deltas are dropped and the slow-reader clock runs. */
    WS_MAX_BUFFERED_BYTES: positiveInt(1_048_576),
    WS_SLOW_READER_MS: positiveInt(5_000),
    WS_PING_INTERVAL_MS: positiveInt(30_000),
    /** A socket with no client frame for this long is closed (pongs do not count). */
    WS_IDLE_TIMEOUT_MS: positiveInt(600_000),
    /**
     * REST calls (every /api route) one client address may make a second (token bucket refill) and
     * its burst; E4004 with Retry-After beyond.
     */
    HTTP_RATE_PER_IP: positiveRate(50),
    HTTP_BURST_PER_IP: positiveInt(500),
    /** The same per account (bearer token) and per API key, on top of its address's budget. */
    HTTP_RATE_PER_CALLER: positiveRate(20),
    HTTP_BURST_PER_CALLER: positiveInt(200),
    /**
     * Proxies in front of the gateway whose X-Forwarded-For is believed: `false` (the default: the
     * peer address is the client), `true` (one proxy) or a number of proxy hops.
     */
    TRUST_PROXY: z
      .string()
      .regex(/^(true|false|\d{1,2})$/, 'true, false or a number of proxy hops')
      .default('false')
      .transform((value) => (value === 'true' ? 1 : value === 'false' ? 0 : Number(value))),
    /** Access tokens are verified here, locally, with these keys (see libs/auth). */
    ...accessTokenEnv,
    /**
     * `true`: every chat socket must bring an access token or a chat-scoped API key (anonymous
     * sockets are closed 4401). Needs a verification key (JWT_SECRET or JWT_PUBLIC_KEY).
     */
    AUTH_REQUIRED: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
    /**
     * Account roles whose chat messages may carry their own system prompt (comma-separated, `none`
     * for no role); API keys need the `system_prompt` scope instead. Anonymous callers never.
     */
    SYSTEM_PROMPT_ROLES: z
      .string()
      .default('admin')
      .transform((list) => (list.trim() === 'none' ? [] : list.split(',').map((role) => role.trim()).filter(Boolean)))
      .pipe(z.array(Role)),
    /** How long a verified X-API-Key is believed before persona is asked again (a revocation waits this long). */
    /** Largest attachment accepted by POST /api/chats/upload, in bytes (20 MiB); past it: 413 E4040. */
    UPLOAD_MAX_BYTES: positiveInt(20 * 1024 * 1024),
    /** An upload still arriving after this long is cut off; keep it well under chat-log's ATTACHMENT_GRACE_MS. */
    UPLOAD_TIMEOUT_MS: positiveInt(600_000),
    API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
    GATEWAY_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - only, at most 64')
      .default(defaultGatewayId),
  })
  .omit({ OPS_PORT: true })
  .superRefine((env, ctx) => {
    if (env.AUTH_REQUIRED && !env.JWT_SECRET && !env.JWT_PUBLIC_KEY) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_REQUIRED'], message: 'needs JWT_SECRET or JWT_PUBLIC_KEY: tokens cannot be checked without a key' });
    }
  });
export type Config = z.infer<typeof GatewayEnv>;

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig(GatewayEnv, env);
}
