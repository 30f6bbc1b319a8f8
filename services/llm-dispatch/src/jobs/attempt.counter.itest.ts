import { randomUUID } from 'node:crypto';
import { Bus } from '@chatbot/bus';
import { createLogger } from '@chatbot/runtime';
import { BrokerAdmin, isolate, type TestEnv } from '@chatbot/testkit';
import { ATTEMPTS_BUCKET, ATTEMPTS_TTL_MS, AttemptCounter } from './attempt.counter';

let env: TestEnv;
let bus: Bus;
let admin: BrokerAdmin;

beforeAll(async () => {
  env = await isolate();
  bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'attempts-test', logger: createLogger('attempts-test', 'silent') });
  admin = await BrokerAdmin.open(env);
});
afterAll(async () => {
  await admin.close();
  await bus.close();
  await env.cleanup();
});

const job = () => ({ session_id: randomUUID(), message_id: randomUUID(), text: 'x', received_at: new Date().toISOString() });
const open = () => bus.kv(ATTEMPTS_BUCKET, ATTEMPTS_TTL_MS);
const reopenLost = () => bus.reopenKvIfLost(ATTEMPTS_BUCKET, ATTEMPTS_TTL_MS);

test('attempts are counted per job, across counters (workers) sharing the bucket', async () => {
  const [first, second] = [new AttemptCounter(await open(), reopenLost), new AttemptCounter(await open(), reopenLost)];
  const counted = job();
  expect(await first.record(counted, true)).toBe(1);
  expect(await second.record(counted)).toBe(2);
  expect(await first.record(counted)).toBe(3);
  expect(await second.record(job(), true)).toBe(1);
});

test('a bucket the broker lost is created again, and counting starts over', async () => {
  const counter = new AttemptCounter(await open(), reopenLost);
  const counted = job();
  expect(await counter.record(counted, true)).toBe(1);
  expect(await admin.deleteBucket(ATTEMPTS_BUCKET)).toBe(true);
  expect(await counter.record(counted)).toBe(1); // what the bucket held is gone with it
  expect(await counter.record(counted)).toBe(2);
  expect(await counter.record(job(), true)).toBe(1);
});
