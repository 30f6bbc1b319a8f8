import { generateKeyPairSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { accessTokenEnv, createAccessTokenSigner, createAccessTokenVerifier, type AccessTokenConfig } from '@chatbot/auth';
import { startPrivateNats, startPrivatePostgres, startService, type RunningService } from '@chatbot/testkit';
import { cpuWindow } from './stats/proc';

/**
 * `node bench/dist/accounts.measure.js` (after `npm run build`): what accounts cost.
 * 1. verifyAccessToken per call, in process (HS256 and EdDSA): what the gateway adds per
 *    authenticated request or message, with no bus round trip.
 * 2. Login over HTTP through a real gateway and persona (argon2id at the configured parameters,
 *    OWASP's minimum by default): p50/p90/p99 of sequential logins.
 * CPU time per call or login is printed beside the latencies: on a shared machine it says what
 * the work costs, where the latency also says how long it waited for a core.
 * A printout, not a test: the figures go to docs/accounts.md.
 */
const env = z.object(accessTokenEnv);
const subject = { accountId: '7a4c3b56-1a6f-4e0f-9d4e-6f8b1b2d9c10', role: 'customer' as const };
const LOGINS = Number(process.env.LOGINS ?? 200);

async function verifyCost(label: string, config: AccessTokenConfig): Promise<void> {
  const token = await createAccessTokenSigner(config)!.signAccessToken(subject);
  const verifier = createAccessTokenVerifier(config)!;
  for (let i = 0; i < 2_000; i += 1) await verifier.verifyAccessToken(token); // warm-up (JIT, jose loaded)
  const calls = 20_000;
  const samples: number[] = [];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < calls; i += 1) {
    const t = performance.now();
    await verifier.verifyAccessToken(token);
    samples.push(performance.now() - t);
  }
  const meanUs = ((performance.now() - started) / calls) * 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuUs = (cpu.user + cpu.system) / calls;
  samples.sort((a, b) => a - b);
  const us = (q: number) => (samples[Math.floor(q * (samples.length - 1))] * 1000).toFixed(1);
  print(`verifyAccessToken ${label}: mean ${meanUs.toFixed(1)} µs/call, p50 ${us(0.5)} µs, p99 ${us(0.99)} µs, CPU ${cpuUs.toFixed(1)} µs/call (${calls} calls)`);
}

async function loginLatency(): Promise<void> {
  const [nats, pg] = await Promise.all([startPrivateNats(), startPrivatePostgres()]);
  const secret = 'measure-secret-0123456789abcdef0123456789';
  const common = { NATS_URL: nats.url, DATABASE_URL: pg.url.replace(/\/postgres$/, '/accounts_measure'), JWT_SECRET: secret, LOG_LEVEL: 'warn' };
  const running: RunningService[] = [];
  try {
    running.push(await startService('persona', common));
    running.push(await startService('gateway', common));
    const base = `http://127.0.0.1:${running[1].ports.http}`;
    const post = (path: string, body: unknown) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const credentials = { email: 'measure@example.com', password: 'measure-password-1' };
    const registered = await post('/api/auth/register', { ...credentials, name: 'Measure' });
    if (registered.status !== 201) throw new Error(`register answered ${registered.status}`);
    for (let i = 0; i < 5; i += 1) await post('/api/auth/login', credentials);
    const samples: number[] = [];
    const window = cpuWindow(running.map((service) => ({ name: service.name, pid: service.process.pid! })));
    const started = performance.now();
    for (let i = 0; i < LOGINS; i += 1) {
      const t = performance.now();
      const res = await post('/api/auth/login', credentials);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`login answered ${res.status}`);
      samples.push(performance.now() - t);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuMs = window.stop().filter((r) => r.name === 'persona' || r.name === 'gateway').map((r) => `${r.name} ${((r.cpuPercent / 100) * seconds * 1000 / LOGINS).toFixed(1)}`);
    samples.sort((a, b) => a - b);
    const ms = (q: number) => samples[Math.floor(q * (samples.length - 1))].toFixed(1);
    print(`login over HTTP (gateway → persona, argon2id m=19456 KiB t=2 p=1): p50 ${ms(0.5)} ms, p90 ${ms(0.9)} ms, p99 ${ms(0.99)} ms; CPU ms per login: ${cpuMs.join(', ')} (${LOGINS} sequential logins)`);
  } finally {
    for (const service of running.reverse()) await service.process.stop('SIGTERM', 15_000);
    await Promise.all([nats.destroy(), pg.destroy()]);
  }
}

const print = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await verifyCost('HS256', env.parse({ JWT_SECRET: 'x'.repeat(48) }));
  await verifyCost('EdDSA', env.parse({ JWT_ALG: 'EdDSA', JWT_PRIVATE_KEY: ed }));
  await loginLatency();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
