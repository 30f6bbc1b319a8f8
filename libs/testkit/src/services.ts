import { join, resolve } from 'node:path';
import { ManagedProcess, readyPorts } from '@chatbot/devstack';

export type ServiceName = 'gateway' | 'chat-log' | 'qna-cache' | 'persona' | 'llm-dispatch';
export const allServices: ServiceName[] = ['chat-log', 'qna-cache', 'persona', 'llm-dispatch', 'gateway'];

const repoRoot = resolve(__dirname, '..', '..', '..');

export interface RunningService {
  name: string;
  process: ManagedProcess;
  /** Ports the service reported in its `ready` log line (`http` for the gateway, `ops` for all). */
  ports: Record<string, number>;
  logs: string[];
}

/**
 * Starts a service's compiled `main.js` as a real process (run `npm run build` first; `npm test`
 * does) and waits for its `ready` log line. Ports are chosen by the OS.
 */
export async function startService(
  name: ServiceName,
  env: Record<string, string>,
  options: { restart?: boolean; instance?: string } = {},
): Promise<RunningService> {
  const logs: string[] = [];
  const ports: Record<string, number> = {};
  const label = options.instance ? `${name}#${options.instance}` : name;
  const proc = new ManagedProcess({
    name: label,
    command: process.execPath,
    args: [join(repoRoot, 'services', name, 'dist', 'main.js')],
    env: { ...process.env, PORT: '0', OPS_PORT: '0', SHUTDOWN_GRACE_MS: '10000', ...env },
    restart: options.restart ?? false,
    startTimeoutMs: 30_000,
    isReady: (line) => {
      const ready = readyPorts(line);
      if (ready) Object.assign(ports, ready);
      return ready !== null;
    },
    onLine: (_, line) => {
      logs.push(line);
      if (logs.length > 2000) logs.shift();
      if (process.env.TEST_SHOW_LOGS) process.stdout.write(`[${label}] ${line}\n`);
    },
  });
  try {
    await proc.start();
  } catch (error) {
    await proc.stop('SIGKILL', 1_000); // never leave a half-started process behind
    throw new Error(`${label} did not start: ${(error as Error).message}\n${logs.slice(-20).join('\n')}`);
  }
  return { name: label, process: proc, ports, logs };
}


/** Starts several services in order; returns them by name. */
export async function startAll(
  names: ServiceName[],
  env: Record<string, string>,
): Promise<Record<string, RunningService>> {
  const running: Record<string, RunningService> = {};
  for (const name of names) running[name] = await startService(name, env);
  return running;
}

export async function stopAll(services: Iterable<RunningService>): Promise<void> {
  await Promise.all([...services].map((s) => s.process.stop('SIGTERM', 15_000)));
}

/** Runs `body` while the service's process is paused (SIGSTOP: its requests time out), resuming it after. */
export async function whilePaused<T>(service: RunningService, body: () => Promise<T>): Promise<T> {
  await service.process.pause();
  try {
    return await body();
  } finally {
    service.process.resume();
  }
}
