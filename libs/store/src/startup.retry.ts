import type { HealthCheck, Logger, OpsEndpoints, Registry } from '@chatbot/runtime';

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;
const PROBE_TIMEOUT_MS = 2_000;
/** Failures while the database answers that are still retried before start-up gives up. */
const OTHER_FAILURES_RETRIED = 3;

/** Error codes (Node and Postgres SQLSTATE) that say "no database to talk to", not "bad SQL". */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE',
  '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006',
]);

function isConnectionError(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined, depth = 0; e && depth < 5; depth += 1) {
    if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
    if (Array.isArray(e.errors) && e.errors.some(isConnectionError)) return true;
    e = e.cause as typeof e;
  }
  return false;
}

async function answers(ping: HealthCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('probe timed out')), PROBE_TIMEOUT_MS)));
  try {
    await Promise.race([ping(), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs a start-up step until it succeeds while Postgres is unreachable (not up yet, restarting):
 * exiting would only start a crash loop, and /readyz keeps the process out of rotation meanwhile.
 * Each failed attempt is logged with the wait before the next. A failure while the database
 * answers (a broken migration, bad seed data) stops the start-up after a few attempts.
 */
export async function retryWhileDatabaseDown<T>(
  step: string,
  task: () => Promise<T>,
  deps: { logger: Logger; ping: HealthCheck },
): Promise<T> {
  let otherFailures = 0;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const result = await task();
      if (attempt > 1) deps.logger.info({ step, attempt }, 'start-up step done after the database returned');
      return result;
    } catch (error) {
      const outage = isConnectionError(error) || !(await answers(deps.ping));
      if (!outage && ++otherFailures > OTHER_FAILURES_RETRIED) throw error;
      const retryInMs = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (attempt - 1));
      const msg = outage ? 'database unreachable at start-up, retrying' : 'start-up step failed, retrying';
      deps.logger.warn({ err: error, step, attempt, retryInMs }, msg);
      await new Promise((resolve) => setTimeout(resolve, retryInMs));
    }
  }
}

/**
 * Ops endpoints served from the first moment: /readyz says 503 (`startup: down`) until the app
 * is built, then the app's own checks take over.
 */
export function startingOps(service: string, registry: Registry, readiness: Record<string, HealthCheck>) {
  const starting: HealthCheck = () => Promise.reject(new Error('starting: waiting for the database'));
  const endpoints: OpsEndpoints = { service, registry, readiness: { ...readiness, startup: starting } };
  return {
    endpoints,
    started(app: OpsEndpoints): void {
      Object.assign(endpoints, app);
    },
  };
}
