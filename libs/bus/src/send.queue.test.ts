import { SendQueue } from './send.queue';

test('runs queued sends together after the current turn, in call order, and settles each', async () => {
  const queue = new SendQueue();
  const ran: string[] = [];
  const first = queue.defer(() => ran.push('a'));
  const second = queue.defer(async () => {
    ran.push('b');
    return 'ack';
  });
  const third = queue.defer(() => {
    ran.push('c');
    throw new Error('connection closed');
  });
  await Promise.resolve();
  expect(ran).toEqual([]); // not within the turn that queued them
  await expect(first).resolves.toBe(1);
  await expect(second).resolves.toBe('ack');
  await expect(third).rejects.toThrow('connection closed');
  expect(ran).toEqual(['a', 'b', 'c']);
});

test('runQueued sends at once and leaves nothing scheduled', async () => {
  const queue = new SendQueue();
  const ran: number[] = [];
  const sent = queue.defer(() => ran.push(1));
  queue.runQueued();
  expect(ran).toEqual([1]);
  await sent;
  await new Promise((resolve) => setImmediate(resolve));
  expect(ran).toEqual([1]);
});
