import { admitFrame, TokenBucket } from './token.bucket';

describe('TokenBucket', () => {
  test('lets a full burst through, then says how long until the next token', () => {
    const bucket = new TokenBucket(10, 3, 0);
    for (let i = 0; i < 3; i++) {
      expect(bucket.waitMs(0)).toBe(0);
      bucket.take(0);
    }
    expect(bucket.waitMs(0)).toBe(100);
    expect(bucket.waitMs(40)).toBe(60);
    expect(bucket.waitMs(100)).toBe(0);
  });

  test('refills at its rate but never above its burst', () => {
    const bucket = new TokenBucket(2, 4, 0);
    for (let i = 0; i < 4; i++) bucket.take(0);
    expect(bucket.isFull(1_000)).toBe(false);
    expect(bucket.isFull(2_000)).toBe(true);
    for (let i = 0; i < 4; i++) bucket.take(60_000);
    expect(bucket.waitMs(60_000)).toBe(500);
  });

  test('a fractional rate waits whole milliseconds, rounded up', () => {
    const bucket = new TokenBucket(0.3, 1, 0);
    bucket.take(0);
    expect(bucket.waitMs(0)).toBe(3334);
  });
});

describe('admitFrame', () => {
  test('spends a token of both buckets when both have one', () => {
    const own = new TokenBucket(1, 1, 0);
    const shared = new TokenBucket(1, 5, 0);
    expect(admitFrame(own, shared, 0)).toEqual({ ok: true });
    expect(shared.waitMs(0)).toBe(0);
    expect(admitFrame(own, shared, 0)).toEqual({ ok: false, scope: 'connection', retryAfterMs: 1000 });
  });

  test('a frame refused by the shared bucket spends nothing of its own', () => {
    const own = new TokenBucket(1, 2, 0);
    const shared = new TokenBucket(4, 1, 0);
    shared.take(0);
    expect(admitFrame(own, shared, 0)).toEqual({ ok: false, scope: 'address', retryAfterMs: 250 });
    expect(admitFrame(own, shared, 250)).toEqual({ ok: true });
    expect(admitFrame(own, new TokenBucket(1, 1, 250), 250)).toEqual({ ok: true });
  });
});
