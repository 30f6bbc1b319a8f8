import { isolate, type TestEnv } from './infra/isolate';
import { startService, type RunningService, type ServiceName } from './services';

/** The whole system as real processes on one test file's private infrastructure. */
export interface TestSystem {
  env: TestEnv;
  services: RunningService[];
  /** `http://127.0.0.1:<port>` of each gateway, first one first. */
  gateways: string[];
  ws(index?: number, query?: string): string;
  byName(name: string): RunningService;
  stop(): Promise<void>;
}

export interface SystemOptions {
  /** llm-dispatch processes (default 1). */
  workers?: number;
  /** gateway processes (default 1). */
  gateways?: number;
  /** Extra environment for every service (e.g. LLM_BASE_URL of a stub). */
  env?: Record<string, string>;
  /** Restart a process that dies, as `npm start` does (default false). */
  restart?: boolean;
}

/**
 * Starts chat-log, qna-cache, persona, the llm-dispatch workers and the gateways, each as its own
 * process, on an isolated database and NATS prefix. Stop it in afterAll.
 */
export async function startSystem(options: SystemOptions = {}): Promise<TestSystem> {
  const env = await isolate();
  const vars = { ...env.env, ...options.env };
  const services: RunningService[] = [];
  const start = async (name: ServiceName, instance?: string) => {
    services.push(await startService(name, vars, { restart: options.restart, instance }));
  };
  try {
    await Promise.all([start('chat-log'), start('qna-cache'), start('persona')]);
    const workers = options.workers ?? 1;
    await Promise.all(Array.from({ length: workers }, (_, i) => start('llm-dispatch', workers > 1 ? String(i + 1) : undefined)));
    const gatewayCount = options.gateways ?? 1;
    for (let i = 0; i < gatewayCount; i++) await start('gateway', gatewayCount > 1 ? String(i + 1) : undefined);
  } catch (error) {
    await stopServices(services);
    await env.cleanup();
    throw error;
  }
  const gateways = services.filter((s) => s.name.startsWith('gateway')).map((s) => `http://127.0.0.1:${s.ports.http}`);
  return {
    env,
    services,
    gateways,
    ws: (index = 0, query = '') => `${gateways[index].replace('http', 'ws')}/api/chat/ws${query}`,
    byName(name) {
      const found = services.find((s) => s.name === name);
      if (!found) throw new Error(`no service named ${name} (have ${services.map((s) => s.name).join(', ')})`);
      return found;
    },
    async stop() {
      await stopServices(services);
      await env.cleanup();
    },
  };
}

async function stopServices(services: RunningService[]) {
  const gateways = services.filter((s) => s.name.startsWith('gateway'));
  await Promise.all(gateways.map((s) => s.process.stop('SIGTERM', 15_000)));
  await Promise.all(services.filter((s) => !gateways.includes(s)).map((s) => s.process.stop('SIGTERM', 15_000)));
}
