/**
 * Latency of a cache-hit round trip through qna-cache and chat-log (no gateway): the time from
 * publishing a user message on CHAT_INBOUND to receiving its `frame` on `gw.deliver.v1.<sid>`.
 * Not part of `npm test` (it asserts nothing about speed); run it on purpose:
 *
 *   npx tsc -b services/chat-log services/qna-cache
 *   npx jest --testMatch '**\/services/chat-log/bench/*.bench.ts' services/chat-log/bench
 *
 * Prints p50/p90/p99/max for one client in a closed loop and for 200 clients at once (each sends
 * its next message when the previous one was answered), plus chat-log's candidate counters.
 * `BENCH_CHAT_LOG_DIR=<dir with dist/ and prisma/>` runs another build of chat-log (a before/after).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Bus } from '@chatbot/bus';
import { ManagedProcess, readyPorts } from '@chatbot/devstack';
import { createLogger } from '@chatbot/runtime';
import { isolate, startService, type RunningService, type TestEnv } from '@chatbot/testkit';
import { createDb } from '../src/database';

const FAQ = '신용카드는 어떻게 발급받을 수 있나요?';
const answered = new Map<string, () => void>();
let env: TestEnv;
let bus: Bus;
let services: RunningService[] = [];

beforeAll(async () => {
  env = await isolate();
  bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'faq-bench', logger: createLogger('faq-bench', 'silent') });
  await bus.ensureStreams(['CHAT_INBOUND', 'CHAT_REPLIES']);
  bus.subscribe('sessionDelivery', '*', (payload) => {
    if (payload.type === 'frame' && payload.frame.prompt_message_id) answered.get(payload.frame.prompt_message_id)?.();
  });
  await bus.nc.flush();
  const serviceEnv = { ...env.env, LOG_LEVEL: 'warn' };
  services = [await startChatLog(serviceEnv), await startService('qna-cache', serviceEnv)];
}, 60_000);

afterAll(async () => {
  await Promise.all(services.map((s) => s.process.stop()));
  await bus?.close();
  await env?.cleanup();
});

async function startChatLog(serviceEnv: Record<string, string>): Promise<RunningService> {
  const dir = process.env.BENCH_CHAT_LOG_DIR;
  if (!dir) return startService('chat-log', serviceEnv);
  const ports: Record<string, number> = {};
  const proc = new ManagedProcess({
    name: 'chat-log (other build)',
    command: process.execPath,
    args: [join(dir, 'dist', 'main.js')],
    env: { ...process.env, OPS_PORT: '0', ...serviceEnv },
    startTimeoutMs: 30_000,
    isReady: (line) => {
      const ready = readyPorts(line);
      if (ready) Object.assign(ports, ready);
      return ready !== null;
    },
  });
  await proc.start();
  return { name: 'chat-log', process: proc, ports, logs: [] };
}

/** Milliseconds to the frame, or NaN when none came within 10 s (a reply committed and never released). */
async function roundTrip(sessionId: string): Promise<number> {
  const messageId = randomUUID();
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<boolean>((resolve) => {
    answered.set(messageId, () => resolve(true));
    timer = setTimeout(() => resolve(false), 10_000);
  });
  const started = performance.now();
  await bus.publish('chatInbound', sessionId, {
    session_id: sessionId,
    message_id: messageId,
    text: FAQ,
    received_at: new Date().toISOString(),
    gateway_id: 'bench',
    protocol: 2,
  });
  const ok = await done;
  clearTimeout(timer);
  answered.delete(messageId);
  return ok ? performance.now() - started : Number.NaN;
}

async function client(messages: number): Promise<number[]> {
  const sessionId = randomUUID();
  const times: number[] = [];
  for (let i = 0; i < messages; i++) times.push(await roundTrip(sessionId));
  return times;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

function summary(name: string, all: number[], elapsedMs: number): string {
  const times = all.filter((t) => !Number.isNaN(t));
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) => percentile(sorted, p).toFixed(1);
  const slow = sorted.filter((t) => t >= 200).length;
  return `${name}: n=${times.length} p50=${at(50)} p90=${at(90)} p99=${at(99)} max=${sorted[sorted.length - 1].toFixed(1)} ms; ` +
    `>=200 ms: ${slow}; no frame in 10 s: ${all.length - times.length}; ${(times.length / (elapsedMs / 1000)).toFixed(0)} round trips/s`;
}

async function deferred(): Promise<string> {
  const text = await (await fetch(`http://127.0.0.1:${services[0].ports.ops}/metrics`)).text();
  return text.split('\n').filter((l) => /^chatbot_chatlog_(replies_deferred_total|replies_held_total|replies_committed_total)/.test(l)).join('; ');
}

test('cache-hit round trips through qna-cache and chat-log', async () => {
  await client(20); // warm-up: connections, JIT, prepared statements
  const lines: string[] = [];
  let started = performance.now();
  const one = await client(200);
  lines.push(summary('1 client x 200', one, performance.now() - started));
  started = performance.now();
  const many = (await Promise.all(Array.from({ length: 200 }, () => client(10)))).flat();
  lines.push(summary('200 clients x 10', many, performance.now() - started));
  lines.push(await deferred());
  const db = createDb(env.databaseUrl, 1);
  const [{ stranded }] = await db.$queryRaw<Array<{ stranded: number }>>`
    SELECT count(*)::int AS stranded FROM chat_log.replies WHERE seq IS NULL`;
  await db.$disconnect();
  lines.push(`replies committed and never released: ${stranded}`);
  process.stdout.write(`\n${lines.join('\n')}\n`);
  expect(many).toHaveLength(2000);
}, 300_000);
