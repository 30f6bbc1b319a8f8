import { z } from 'zod';

/** Raised when the environment does not parse; its message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment once with a zod object schema (keys are variable names).
 * Empty strings count as unset, so `FOO=` falls back to the default like a missing variable.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    return `${name}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

const port = z.coerce.number().int().min(0).max(65535);

/** Variables every service shares. */
export const baseEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  /** Namespace for every subject and stream, so several deployments or tests share one NATS. */
  NATS_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]*$/, 'lowercase letters, digits, - and _ only')
    .default(''),
  /** Port of the health/readiness/metrics endpoint; 0 picks a free port. */
  OPS_PORT: port,
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(25_000),
};

/**
 * The variables that turn tracing on, read by runMain for every service (tracing.setup.ts). The
 * OpenTelemetry SDK reads the rest of its standard ones itself (OTEL_EXPORTER_OTLP_HEADERS,
 * OTEL_TRACES_SAMPLER, OTEL_BSP_SCHEDULE_DELAY, ...).
 */
export const tracingEnv = {
  /** OTLP/HTTP base URL of a collector (spans go to `<url>/v1/traces`); unset: no tracing. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /** The traces endpoint itself, for a collector that takes them at another path. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).default('false'),
};

export const databaseEnv = {
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgresql://postgres@127.0.0.1:5432/chatbot'),
};

export const portSchema = port;
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
