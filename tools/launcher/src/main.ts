import { resolve } from 'node:path';
import { Teardown } from '@chatbot/devstack';
import { devJwtSecret } from './dev-secret';
import { startInfrastructure } from './infra';
import { createOutput, logFormat } from './output';
import { planServices, startSupervised, type StartedService } from './services';

/**
 * `npm start`: the whole system on this machine. Every service runs as its own supervised
 * process (restarted with backoff when it dies); NATS and Postgres are embedded unless
 * NATS_URL / DATABASE_URL point elsewhere. SIGINT, SIGTERM or SIGHUP stop everything, gateway
 * first; so does a start that fails half-way, which stops whatever it had started.
 */
const out = createOutput(logFormat(process.env, Boolean(process.stdout.isTTY)), (t) => process.stdout.write(t), !process.env.NO_COLOR);
const teardown = new Teardown();
let stopRequested = false;

async function start(): Promise<void> {
  const dataDir = resolve(process.env.DATA_DIR ?? '.data');
  const workers = Number(process.env.LLM_WORKERS ?? '1');
  if (!Number.isInteger(workers) || workers < 1) throw new Error('LLM_WORKERS must be a whole number ≥ 1');
  const port = process.env.PORT ?? '8080';

  const infra = await startInfrastructure(dataDir, out, teardown);
  const started: StartedService[] = [];
  teardown.add('services', () => stopServices(started));
  const base = { NATS_URL: infra.natsUrl, DATABASE_URL: infra.databaseUrl, ...devJwtSecret(dataDir) };
  for (const plan of planServices(base, workers, port)) {
    if (stopRequested) return;
    out.step(`starting ${plan.name}…`);
    const service = startSupervised(plan, out);
    started.push(service);
    await service.ready;
    out.say(`${plan.name} ready (pid ${service.process.pid})`, { service: plan.name, pid: service.process.pid, ports: service.ports });
  }
  if (stopRequested) return;
  const gateway = started.find((s) => s.plan.service === 'gateway');
  const http = `http://127.0.0.1:${gateway?.ports.http ?? port}`;
  out.say(`NATS ${infra.natsUrl}; Postgres ${infra.databaseUrl.replace(/\/\/[^@]*@/, '//')}`);
  out.say(`processes: ${[...infra.servers.map((s) => `${s.name}=${s.pid}`), ...started.map((s) => `${s.plan.name}=${s.process.pid}`)].join(' ')}`);
  out.say(started.map((s) => `${s.plan.name} ops :${s.ports.ops ?? s.ports.http}`).join(', '));
  out.say(`gateway listening on ${http} (WebSocket ${http.replace('http', 'ws')}/api/chat/ws)`, { url: http });
  out.say('all services ready; Ctrl-C stops everything');
  out.banner([
    `Chat        ${http}/`,
    `Admin       ${http}/admin`,
    `API docs    ${http}/docs`,
    `WebSocket   ${http.replace('http', 'ws')}/api/chat/ws   (in a terminal: npm run chat)`,
    'Ctrl-C (or kill -TERM) stops everything.',
  ]);
}

/** Gateways first, so no new work comes in, then the other services together. */
async function stopServices(started: StartedService[]): Promise<void> {
  const gateways = started.filter((s) => s.plan.service === 'gateway');
  await Promise.all(gateways.map((s) => s.process.stop('SIGTERM', 30_000)));
  await Promise.all(started.filter((s) => !gateways.includes(s)).map((s) => s.process.stop('SIGTERM', 30_000)));
}

let stopping = false;

async function stop(reason: string, startup: Promise<void>): Promise<void> {
  if (stopping) return;
  stopping = stopRequested = true;
  out.step(`${reason}: stopping ${teardown.names.reverse().join(', ') || 'nothing (nothing started)'}`);
  await teardown.run();
  // A server may have come up while the first round ran; the start notices the request and ends.
  await startup.catch(() => undefined);
  await teardown.run();
  out.say('stopped');
  process.exit(reason === 'failure' ? 1 : 0);
}

const startup = start();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal, startup));
startup.catch((error: unknown) => {
  if (!stopRequested) out.say(`failed: ${(error as Error).message}`, {}, 'error');
  void stop('failure', startup);
});
