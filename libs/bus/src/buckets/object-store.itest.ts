import { createLogger } from '@chatbot/runtime';
import { isolate, type TestEnv } from '@chatbot/testkit';
import { Bus } from '../bus';
import type { ObjectBucket } from './object-store';

const logger = createLogger('object-store-test', 'silent');
let env: TestEnv;
let bus: Bus;
let bucket: ObjectBucket;

beforeAll(async () => {
  env = await isolate();
  bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'object-store-test', logger });
  bucket = await bus.objectBucket('FILES');
});
afterAll(async () => {
  await bus.close();
  await env.cleanup();
});

async function* chunks(count: number, size: number, failAt = -1): AsyncIterable<Uint8Array> {
  for (let i = 0; i < count; i += 1) {
    if (i === failAt) throw new Error('the source broke');
    yield new Uint8Array(size).fill(i % 251);
  }
}

async function read(data: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of data) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

test('an object streams in and out, byte for byte, and is gone once deleted', async () => {
  expect(await bucket.put('a', chunks(20, 50_000))).toEqual({ size: 1_000_000 });
  const object = await bucket.get('a');
  expect(object?.size).toBe(1_000_000);
  // Buffer.equals: jest's deep equality walks a megabyte element by element
  expect((await read(object!.data)).equals(await read(chunks(20, 50_000)))).toBe(true);
  expect(await bucket.delete('a')).toBe(true);
  expect(await bucket.get('a')).toBeNull();
  expect(await bucket.delete('a')).toBe(false);
});

test('a source that fails mid-way rejects the put with its error and leaves no chunk behind', async () => {
  const before = await bucket.usage();
  await expect(bucket.put('broken', chunks(20, 100_000, 12))).rejects.toThrow('the source broke');
  expect(await bucket.get('broken')).toBeNull();
  expect(await bucket.usage()).toEqual(before);
});

test('chunks no object names are purged only once older than asked, and named objects stay', async () => {
  await bucket.put('kept', chunks(3, 10_000));
  // a writer that dies mid-put: its put never ends, its chunks stay unnamed
  const stalled = bucket.put('orphan', (async function* () {
    yield* chunks(4, 200_000);
    await new Promise(() => undefined);
  })());
  stalled.catch(() => undefined); // it never ends; the bucket goes with the namespace
  const grown = async () => (await bucket.usage()).bytes;
  for (let i = 0; i < 100 && (await grown()) < 700_000; i += 1) await new Promise((r) => setTimeout(r, 20));
  expect(await bucket.purgeOrphanChunks(60_000)).toBe(0);
  await new Promise((r) => setTimeout(r, 300));
  expect(await bucket.purgeOrphanChunks(200)).toBe(1);
  expect((await bucket.usage()).bytes).toBeLessThan(100_000);
  expect(await read((await bucket.get('kept'))!.data)).toHaveLength(30_000);
});
