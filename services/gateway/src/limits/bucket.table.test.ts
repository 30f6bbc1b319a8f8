import { admitAll, BucketTable } from './bucket.table';

describe('BucketTable', () => {
  test('one bucket per key, spent independently', () => {
    const table = new BucketTable({ ratePerSecond: 1, burst: 2 }, 100, 0);
    expect(admitAll([table.bucket('a', 0)], 0)).toBe(0);
    expect(admitAll([table.bucket('a', 0)], 0)).toBe(0);
    expect(admitAll([table.bucket('a', 0)], 0)).toBe(1000);
    expect(admitAll([table.bucket('b', 0)], 0)).toBe(0);
  });

  test('forgets refilled buckets at the next sweep, keeps the ones still spent', () => {
    const table = new BucketTable({ ratePerSecond: 1, burst: 100 }, 100, 0);
    admitAll([table.bucket('idle', 0)], 0);
    for (let i = 0; i < 50; i++) admitAll([table.bucket('busy', 9_000)], 9_000);
    expect(table.size).toBe(2);
    table.bucket('new', 10_000);
    expect(table.size).toBe(2); // idle refilled (1 token in 10 s), busy has not
  });

  test('never holds more than maxKeys: the oldest key goes first', () => {
    const table = new BucketTable({ ratePerSecond: 1, burst: 1 }, 3, 0);
    for (const key of ['a', 'b', 'c', 'd']) admitAll([table.bucket(key, 0)], 0);
    expect(table.size).toBe(3);
    expect(admitAll([table.bucket('d', 0)], 0)).toBe(1000);
    expect(admitAll([table.bucket('a', 0)], 0)).toBe(0); // forgotten, so new
  });
});

describe('admitAll', () => {
  test('spends from every bucket or from none, and waits for the slowest', () => {
    const table = new BucketTable({ ratePerSecond: 2, burst: 1 }, 10, 0);
    const address = table.bucket('address', 0);
    const user = table.bucket('user', 0);
    expect(admitAll([address], 0)).toBe(0);
    expect(admitAll([address, user], 0)).toBe(500);
    expect(admitAll([user], 0)).toBe(0); // the refused call took nothing from user
  });
});
