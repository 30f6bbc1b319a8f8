import { resolve } from 'node:path';
import type { ManagedProcess } from '@chatbot/devstack';
import { devJwtSecret } from './dev-secret';
import { startInfrastructure } from './infra';
import { planServices, startSupervised, type StartedService } from './services';

/**
 * `npm start`: the whole system on this machine. Every service runs as its own supervised
 * process (restarted with backoff when it dies); NATS and Postgres are embedded unless
 * NATS_URL / DATABASE_URL point elsewhere. Ctrl-C stops everything, services first.
 */
const print = (name: string, line: string) => process.stdout.write(`${name.padEnd(15)}| ${line}\n`);

async function main() {
  const dataDir = resolve(process.env.DATA_DIR ?? '.data');
  const workers = Number(process.env.LLM_WORKERS ?? '1');
  if (!Number.isInteger(workers) || workers < 1) throw new Error('LLM_WORKERS must be a whole number ≥ 1');
  const port = process.env.PORT ?? '8080';

  const infra = await startInfrastructure(dataDir, print);
  const stopping = installStop(infra.processes, () => started);
  const started: StartedService[] = [];
  const base = { NATS_URL: infra.natsUrl, DATABASE_URL: infra.databaseUrl, ...devJwtSecret(dataDir) };
  for (const plan of planServices(base, workers, port)) {
    if (stopping.requested) return;
    print('launcher', `starting ${plan.name}`);
    const service = startSupervised(plan, print);
    started.push(service);
    await service.ready;
  }
  const gateway = started.find((s) => s.plan.service === 'gateway');
  const http = gateway?.ports.http ?? Number(port);
  print('launcher', `NATS ${infra.natsUrl}; Postgres ${infra.databaseUrl.replace(/\/\/[^@]*@/, '//')}`);
  print('launcher', `processes: ${[...infra.processes.map((p) => `${p.spec.name}=${p.pid}`), ...started.map((s) => `${s.plan.name}=${s.process.pid}`)].join(' ')}`);
  print('launcher', started.map((s) => `${s.plan.name} ops :${s.ports.ops ?? s.ports.http}`).join(', '));
  print('launcher', `gateway listening on http://127.0.0.1:${http} (WebSocket ws://127.0.0.1:${http}/api/chat/ws)`);
  print('launcher', 'all services ready; Ctrl-C stops everything');
}

let failAndStop: () => void = () => process.exit(1);

function installStop(infra: ManagedProcess[], services: () => StartedService[]) {
  const state = { requested: false };
  const stop = async (signal: NodeJS.Signals | 'failure') => {
    if (state.requested) return;
    state.requested = true;
    print('launcher', `${signal}: stopping services`);
    const list = services();
    const gateways = list.filter((s) => s.plan.service === 'gateway');
    await Promise.all(gateways.map((s) => s.process.stop('SIGTERM', 30_000)));
    await Promise.all(list.filter((s) => !gateways.includes(s)).map((s) => s.process.stop('SIGTERM', 30_000)));
    print('launcher', 'stopping NATS and Postgres');
    await Promise.all(infra.map((p) => p.stop(p.spec.name === 'postgres' ? 'SIGINT' : 'SIGTERM', 30_000)));
    print('launcher', 'stopped');
    process.exit(signal === 'failure' ? 1 : 0);
  };
  failAndStop = () => void stop('failure');
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));
  return state;
}

main().catch((error: unknown) => {
  print('launcher', `failed: ${(error as Error).message}`);
  failAndStop();
});
