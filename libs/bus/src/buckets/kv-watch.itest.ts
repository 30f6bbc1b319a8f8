import { createLogger } from '@chatbot/runtime';
import { eventually, isolate, type TestEnv } from '@chatbot/testkit';
import { Bus } from '../bus';
import type { KvChange } from './kv';

const logger = createLogger('kv-watch-test', 'silent');
let env: TestEnv;
let writer: Bus;
let reader: Bus;

beforeAll(async () => {
  env = await isolate();
  writer = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'kv-writer', logger });
  reader = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'kv-reader', logger });
});
afterAll(async () => {
  await Promise.all([writer.close(), reader.close()]);
  await env.cleanup();
});

test('a watch reports the empty key first, then every write of another connection, each revision once', async () => {
  const kv = await writer.kv('watch_test', 0);
  const changes: KvChange[] = [];
  const watch = await (await reader.kv('watch_test', 0)).watch('current', (change) => changes.push(change));
  expect(changes).toEqual([{ entry: null, revision: 0 }]);
  const first = await kv.put('current', 'one');
  const second = await kv.put('current', 'two');
  await kv.put('other', 'not watched');
  await eventually(() => expect(changes.length).toBeGreaterThanOrEqual(3), 2_000);
  expect(changes.slice(1)).toEqual([
    { entry: { value: 'one', revision: first }, revision: first },
    { entry: { value: 'two', revision: second }, revision: second },
  ]);
  watch.stop();
});

test('a watch started on a written key reports its value before it resolves', async () => {
  const kv = await writer.kv('watch_test_2', 0);
  const revision = await kv.put('current', 'kept');
  const changes: KvChange[] = [];
  const watch = await (await reader.kv('watch_test_2', 0)).watch('current', (change) => changes.push(change));
  expect(changes[0]).toEqual({ entry: { value: 'kept', revision }, revision });
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(changes).toHaveLength(1);
  await kv.delete('current');
  await eventually(() => expect(changes.at(-1)).toEqual({ entry: null, revision: revision + 1 }), 2_000);
  watch.stop();
});
