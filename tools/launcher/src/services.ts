import { join, resolve } from 'node:path';
import { ManagedProcess, readyPorts } from '@chatbot/devstack';
import { exitPrinter } from './infra';
import type { Output } from './output';

const repoRoot = resolve(__dirname, '..', '..', '..');

export interface ServicePlan {
  name: string;
  service: string;
  env: Record<string, string>;
}

/** Every service as its own process; `workers` llm-dispatch replicas share one work queue. */
export function planServices(base: Record<string, string>, workers: number, port: string): ServicePlan[] {
  const plan: ServicePlan[] = ['chat-log', 'qna-cache', 'persona'].map((service) => ({
    name: service,
    service,
    env: { ...base, OPS_PORT: '0' },
  }));
  for (let i = 1; i <= workers; i++) {
    plan.push({ name: workers > 1 ? `llm-dispatch#${i}` : 'llm-dispatch', service: 'llm-dispatch', env: { ...base, OPS_PORT: '0' } });
  }
  plan.push({ name: 'gateway', service: 'gateway', env: { ...base, PORT: port } });
  return plan;
}

export interface StartedService {
  plan: ServicePlan;
  process: ManagedProcess;
  ports: Record<string, number>;
  ready: Promise<void>;
}

/** Starts one supervised service (restarted with backoff when it dies); `ready` says when it is. */
export function startSupervised(plan: ServicePlan, out: Output): StartedService {
  const ports: Record<string, number> = {};
  const proc = new ManagedProcess({
    name: plan.name,
    command: process.execPath,
    args: [join(repoRoot, 'services', plan.service, 'dist', 'main.js')],
    env: { ...process.env, ...plan.env },
    restart: true,
    startTimeoutMs: 60_000,
    isReady: (line) => {
      const announced = readyPorts(line);
      if (announced) Object.assign(ports, announced);
      return announced !== null;
    },
    onLine: out.child,
    onExit: exitPrinter(out),
  });
  return { plan, process: proc, ports, ready: proc.start() };
}
