import { freePort } from '@chatbot/devstack';
import { startService, waitUntil, type RunningService, type ServiceName } from '@chatbot/testkit';
import { processesWithEnv } from './processes';

/**
 * Every load here comes from 127.0.0.1 and sends far faster than a person: the gateway's
 * per-address and per-socket limits would refuse it, so they are lifted (the buckets still run).
 */
export const LOAD_LIMITS: Record<string, string> = {
  WS_MAX_CONN_PER_IP: '100000',
  WS_RATE_PER_IP: '1000000',
  WS_BURST_PER_IP: '1000000',
  WS_RATE_PER_CONN: '1000',
  WS_BURST_PER_CONN: '1000',
};

export interface SystemPlan {
  /** Variables of every service: NATS_URL, DATABASE_URL, NATS_PREFIX and any shared setting. */
  env: Record<string, string>;
  workers: number;
  /** Extra variables of worker `index` (its own stub LLM, say). */
  workerEnv?: (index: number) => Record<string, string>;
  gatewayEnv?: Record<string, string>;
}

export interface ProcessExit {
  name: string;
  code: number | null;
  signal: string | null;
  at: number;
  /** The scenario killed it on purpose. */
  planned: boolean;
}

const STOP_TIMEOUT_MS = 10_000;

/**
 * The five services as real processes, for one scenario: it can crash, pause and restart any
 * of them and records every exit, so "no process exited" is checked, not assumed. The gateway
 * listens on a fixed port, so clients find a restarted gateway where the old one was.
 */
export class ChaosSystem {
  readonly services: RunningService[] = [];
  readonly exits: ProcessExit[] = [];
  private readonly planned = new Set<RunningService>();
  private gatewayPort = 0;

  private constructor(private readonly plan: SystemPlan) {}

  static async start(plan: SystemPlan): Promise<ChaosSystem> {
    const system = new ChaosSystem(plan);
    try {
      await system.startAll();
    } catch (error) {
      // startService gives up waiting for `ready` without stopping the process it spawned.
      for (const pid of processesWithEnv(`NATS_PREFIX=${plan.env.NATS_PREFIX}`)) process.kill(pid, 'SIGKILL');
      await system.stop();
      throw error;
    }
    return system;
  }

  get gateway(): RunningService {
    return this.byName('gateway');
  }

  /** The workers in the order of their index (workerEnv(i) is worker i), whatever order they became ready in. */
  get workers(): RunningService[] {
    const number = (s: RunningService) => Number(s.name.split('#')[1] ?? 1);
    return this.services.filter((s) => s.name.startsWith('llm-dispatch')).sort((a, b) => number(a) - number(b));
  }

  wsUrl(): string {
    return `ws://127.0.0.1:${this.gatewayPort}/api/chat/ws`;
  }

  byName(name: string): RunningService {
    const found = this.services.find((s) => s.name === name);
    if (!found) throw new Error(`no service ${name} (have ${this.services.map((s) => s.name).join(', ')})`);
    return found;
  }

  /** kill -9 (or another signal) and wait until the process is gone. */
  async crash(service: RunningService, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const pid = service.process.pid;
    this.planned.add(service);
    service.process.kill(signal);
    const gone = await waitUntil(() => service.process.pid !== pid, 10_000, 10);
    if (!gone) throw new Error(`${service.name} (pid ${pid}) survived ${signal}`);
  }

  /** Starts a crashed service again with the same environment; resolves when it is ready. */
  async restart(service: RunningService): Promise<void> {
    await service.process.start();
    this.planned.delete(service);
  }

  /** SIGSTOP, resolved once the service has stopped running. */
  pause(service: RunningService): Promise<void> {
    return service.process.pause();
  }

  resume(service: RunningService): void {
    service.process.resume();
  }

  unplannedExits(): ProcessExit[] {
    return this.exits.filter((exit) => !exit.planned);
  }

  async stop(): Promise<void> {
    for (const service of this.services) {
      this.planned.add(service);
      service.process.resume();
    }
    const gateways = this.services.filter((s) => s.name === 'gateway');
    await Promise.all(gateways.map((s) => s.process.stop('SIGTERM', STOP_TIMEOUT_MS)));
    await Promise.all(this.services.filter((s) => s.name !== 'gateway').map((s) => s.process.stop('SIGTERM', STOP_TIMEOUT_MS)));
  }

  private async startAll(): Promise<void> {
    const { plan } = this;
    await Promise.all((['chat-log', 'qna-cache', 'persona'] as const).map((name) => this.add(name, plan.env)));
    await Promise.all(
      Array.from({ length: plan.workers }, (_, i) =>
        this.add('llm-dispatch', { ...plan.env, ...plan.workerEnv?.(i) }, plan.workers > 1 ? String(i + 1) : undefined),
      ),
    );
    this.gatewayPort = await freePort();
    await this.add('gateway', { ...plan.env, ...LOAD_LIMITS, ...plan.gatewayEnv, PORT: String(this.gatewayPort) });
  }

  private async add(name: ServiceName, env: Record<string, string>, instance?: string): Promise<void> {
    const service = await startService(name, env, { instance });
    // The spec's exit hook is read at every exit, restarts included.
    service.process.spec.onExit = (_, code, signal) => {
      this.exits.push({ name: service.name, code, signal, at: Date.now(), planned: this.planned.has(service) });
    };
    this.services.push(service);
  }
}
