import { startAllOrNothing, Teardown } from './teardown';

test('steps run newest first, once, and a failing step does not keep the older ones from running', async () => {
  const order: string[] = [];
  const teardown = new Teardown();
  teardown.add('nats', async () => void order.push('nats'));
  teardown.add('postgres', async () => {
    order.push('postgres');
    throw new Error('already gone');
  });
  teardown.add('services', async () => void order.push('services'));
  const failures = await teardown.run();
  expect(order).toEqual(['services', 'postgres', 'nats']);
  expect(failures.map((f) => f.name)).toEqual(['postgres']);
  expect(await teardown.run()).toEqual([]);
  expect(order).toHaveLength(3);
});

test('a start that fails half-way stops what it had started and rethrows its own error', async () => {
  const stopped: string[] = [];
  await expect(
    startAllOrNothing(async (teardown) => {
      teardown.add('nats', async () => void stopped.push('nats'));
      throw new Error('postgres did not start');
    }),
  ).rejects.toThrow('postgres did not start');
  expect(stopped).toEqual(['nats']);
});

test('a start that succeeds hands its teardown to the caller, nothing stopped yet', async () => {
  const stopped: string[] = [];
  const { value, teardown } = await startAllOrNothing(async (t) => {
    t.add('nats', async () => void stopped.push('nats'));
    return 'ready';
  });
  expect(value).toBe('ready');
  expect(stopped).toEqual([]);
  await teardown.run();
  expect(stopped).toEqual(['nats']);
});
