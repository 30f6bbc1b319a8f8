import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startService, warningsOf, type LoggedService, type RunningService, type ServiceName } from '@chatbot/testkit';
import { onInterrupt } from './cleanup';
import type { BenchInfra } from './infra';
import { repoRoot } from './paths';
import type { Watched } from './stats/proc';

/**
 * All bench clients come from loopback addresses and a closed-loop client sends far faster than a
 * person: the gateway's per-address and per-connection limits (services/gateway/src/config.ts)
 * would measure the rate limiter, so they are lifted. Its token buckets still run on every frame.
 */
export const LOAD_TEST_LIMITS: Record<string, string> = {
  WS_MAX_CONN_PER_IP: '1000000',
  WS_RATE_PER_IP: '1000000000',
  WS_BURST_PER_IP: '1000000000',
  WS_RATE_PER_CONN: '1000000000',
  WS_BURST_PER_CONN: '1000000000',
};

/**
 * The real services, started as processes for one scenario with a private database and NATS
 * prefix (nothing carries over from one scenario to the next).
 */
export class System {
  private readonly services: RunningService[] = [];
  /** Warn and error lines of every service this system ran (each one's last 2,000 lines), kept past its stop. */
  readonly warnings: LoggedService[] = [];
  private readonly forget = onInterrupt(() => this.stop());

  private constructor(
    readonly env: Record<string, string>,
    readonly databaseUrl: string,
    readonly prefix: string,
  ) {}

  static async start(infra: BenchInfra, names: ServiceName[], extraEnv: Record<string, string> = {}): Promise<System> {
    const prefix = `bench${randomBytes(3).toString('hex')}`;
    const databaseUrl = await infra.createDatabase('bench');
    const env = {
      NATS_URL: infra.natsUrl,
      DATABASE_URL: databaseUrl,
      NATS_PREFIX: prefix,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      ...LOAD_TEST_LIMITS,
      ...extraEnv,
    };
    const system = new System(env, databaseUrl, prefix);
    try {
      for (const name of names) await system.add(name);
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  async add(name: ServiceName, instance?: string, extraEnv: Record<string, string> = {}): Promise<RunningService> {
    const known = new Set(this.services.map((s) => s.process.pid));
    try {
      const service = await startService(name, { ...this.env, ...extraEnv }, { instance });
      this.services.push(service);
      return service;
    } catch (error) {
      // startService gives up waiting for `ready` without stopping the process: stop it here.
      for (const pid of processesWithEnv(`NATS_PREFIX=${this.prefix}`)) if (!known.has(pid)) process.kill(pid, 'SIGKILL');
      throw error;
    }
  }

  get(name: string): RunningService {
    const service = this.services.find((s) => s.name === name);
    if (!service) throw new Error(`${name} is not running`);
    return service;
  }

  /** The gateway's chat WebSocket URL. */
  get chatUrl(): string {
    return chatUrlOf(this.get('gateway'));
  }

  /** Stops one service and forgets it. */
  async remove(service: RunningService): Promise<void> {
    await service.process.stop('SIGTERM', 15_000);
    this.collectWarnings(service);
    this.services.splice(this.services.indexOf(service), 1);
  }

  watched(): Watched[] {
    return this.services.filter((s) => s.process.pid).map((s) => ({ name: s.name, pid: s.process.pid! }));
  }

  async stop(): Promise<void> {
    // The gateway first, so no new work enters while the others finish theirs.
    const gateways = this.services.filter((s) => s.name.startsWith('gateway'));
    await Promise.all(gateways.map((s) => s.process.stop('SIGTERM', 15_000)));
    const others = this.services.filter((s) => !s.name.startsWith('gateway'));
    await Promise.all(others.map((s) => s.process.stop('SIGTERM', 15_000)));
    for (const service of this.services) this.collectWarnings(service);
    this.forget();
  }

  private collectWarnings(service: RunningService): void {
    const logged = warningsOf(service);
    if (logged.logs.length > 0) this.warnings.push(logged);
  }
}

/** Pids of processes whose environment holds `entry` (this system's private NATS prefix). */
function processesWithEnv(entry: string): number[] {
  return readdirSync('/proc').flatMap((name) => {
    const pid = Number(name);
    if (!Number.isInteger(pid)) return [];
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry) ? [pid] : [];
    } catch {
      return [];
    }
  });
}

export const chatUrlOf = (gateway: RunningService) => `ws://127.0.0.1:${gateway.ports.http}/api/chat/ws`;

/** Services whose compiled main.js is missing (not built or not written yet). */
export function missingServices(names: ServiceName[]): ServiceName[] {
  return names.filter((name) => !existsSync(join(repoRoot, 'services', name, 'dist', 'main.js')));
}
