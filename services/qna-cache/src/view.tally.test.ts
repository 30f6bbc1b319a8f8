import { createLogger } from '@chatbot/runtime';
import type { ViewCounts } from './catalogue.repository';
import { ViewTally } from './view.tally';

const logger = createLogger('view-tally-test', 'silent');
const answer = { message: '', login_required: false };
const plain = (counts: ViewCounts) => ({ faqs: Object.fromEntries(counts.faqs), terms: Object.fromEntries(counts.terms) });

test('writes a batch\'s views in one call, summed per row', async () => {
  const writes: ReturnType<typeof plain>[] = [];
  const tally = new ViewTally(async (counts) => void writes.push(plain(counts)), logger);
  tally.count({ kind: 'faq', id: 'FAQ-1', answer, category: '발급' });
  tally.count({ kind: 'faq', id: 'FAQ-1', answer, category: '발급' });
  tally.count({ kind: 'term', id: 'TERM-1', answer });
  await tally.flush();
  await tally.flush(); // nothing pending: no write
  expect(writes).toEqual([{ faqs: { 'FAQ-1': 2 }, terms: { 'TERM-1': 1 } }]);
});

test('keeps the views of a failed write for the next flush', async () => {
  const writes: ReturnType<typeof plain>[] = [];
  let failures = 0;
  let down = true;
  const tally = new ViewTally(async (counts) => {
    if (down) throw new Error('database unavailable');
    writes.push(plain(counts));
  }, logger, () => failures++);
  tally.count({ kind: 'faq', id: 'FAQ-1', answer, category: '발급' });
  await tally.flush();
  down = false;
  tally.count({ kind: 'faq', id: 'FAQ-1', answer, category: '발급' });
  tally.count({ kind: 'term', id: 'TERM-2', answer });
  await tally.flush();
  expect(failures).toBe(1);
  expect(writes).toEqual([{ faqs: { 'FAQ-1': 2 }, terms: { 'TERM-2': 1 } }]);
});

test('flushes on its interval and once more on close', async () => {
  jest.useFakeTimers();
  try {
    const writes: ReturnType<typeof plain>[] = [];
    const tally = new ViewTally(async (counts) => void writes.push(plain(counts)), logger).flushEvery(1_000);
    tally.count({ kind: 'faq', id: 'FAQ-1', answer, category: '발급' });
    expect(writes).toEqual([]);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(writes).toEqual([{ faqs: { 'FAQ-1': 1 }, terms: {} }]);
    tally.count({ kind: 'term', id: 'TERM-1', answer });
    await tally.close();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(writes).toEqual([{ faqs: { 'FAQ-1': 1 }, terms: {} }, { faqs: {}, terms: { 'TERM-1': 1 } }]);
  } finally {
    jest.useRealTimers();
  }
});
