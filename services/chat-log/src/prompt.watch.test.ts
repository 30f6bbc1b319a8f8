import { createPromptWatch } from './prompt.watch';

const soon = () => Date.now() + 5_000;

describe('PromptWatch', () => {
  test('wakes a waiter as soon as one of its prompts is stored', async () => {
    const watch = createPromptWatch();
    const waiting = watch.next(new Set(['p1', 'p2']), soon());
    watch.stored(['other', 'p2']);
    await expect(waiting).resolves.toEqual(new Set(['p2']));
  });

  test('answers at once for a prompt stored just before the wait began', async () => {
    const watch = createPromptWatch();
    watch.stored(['p1']);
    await expect(watch.next(new Set(['p1', 'p2']), soon())).resolves.toEqual(new Set(['p1']));
  });

  test('forgets stored prompts after a while', async () => {
    const watch = createPromptWatch(0);
    watch.stored(['p1']);
    watch.stored(['p2']);
    await expect(watch.next(new Set(['p1']), Date.now() + 20)).resolves.toEqual(new Set());
  });

  test('gives up empty at the deadline, and at once when closed', async () => {
    const watch = createPromptWatch();
    await expect(watch.next(new Set(['p1']), Date.now() + 20)).resolves.toEqual(new Set());
    const waiting = watch.next(new Set(['p1']), soon());
    watch.close();
    await expect(waiting).resolves.toEqual(new Set());
    await expect(watch.next(new Set(['p1']), soon())).resolves.toEqual(new Set());
  });
});
