import { backoffDelay, parseRetryAfter, sleep } from './backoff';
import { LlmAbortedError } from './llm.errors';

describe('backoffDelay', () => {
  it('doubles the ceiling per attempt up to the maximum (full jitter scales it)', () => {
    const top = () => 0.999999;
    expect([0, 1, 2, 3, 4].map((attempt) => backoffDelay(attempt, 100, 500, top))).toEqual([99, 199, 399, 499, 499]);
    expect(backoffDelay(3, 100, 500, () => 0)).toBe(0);
    expect(backoffDelay(1, 100, 500, () => 0.5)).toBe(100);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('prefers retry-after-ms', () => {
    expect(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '9' }, now)).toBe(250);
  });

  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter({ 'retry-after': '2' }, now)).toBe(2000);
    expect(parseRetryAfter({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }, now)).toBe(3000);
    expect(parseRetryAfter({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }, now)).toBe(0);
  });

  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfter({}, now)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': '-5' }, now)).toBeUndefined();
  });
});

describe('sleep', () => {
  it('rejects with LlmAbortedError as soon as the signal fires', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = sleep(10_000, controller.signal);
    setTimeout(() => controller.abort(), 10);
    await expect(pending).rejects.toBeInstanceOf(LlmAbortedError);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
