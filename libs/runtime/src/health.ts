/** A dependency probe: resolves with a short status word, rejects (or says `down`) when broken. */
export type HealthCheck = () => Promise<string>;

export interface HealthReport {
  status: 'ok' | 'degraded';
  service: string;
  uptime_s: number;
  dependencies: Record<string, { status: string; detail?: string }>;
}

const startedAt = Date.now();
const PROBE_TIMEOUT_MS = 2_000;

function withTimeout(check: HealthCheck): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('probe timed out')), PROBE_TIMEOUT_MS);
    check().then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Runs every probe; a dependency is healthy when its probe resolves with anything but `down`. */
export async function runHealthChecks(
  service: string,
  checks: Record<string, HealthCheck>,
): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        return [name, { status: await withTimeout(check) }] as const;
      } catch (error) {
        return [name, { status: 'down', detail: (error as Error).message }] as const;
      }
    }),
  );
  const dependencies = Object.fromEntries(entries);
  const healthy = entries.every(([, value]) => value.status !== 'down');
  return {
    status: healthy ? 'ok' : 'degraded',
    service,
    uptime_s: Math.round((Date.now() - startedAt) / 1000),
    dependencies,
  };
}
