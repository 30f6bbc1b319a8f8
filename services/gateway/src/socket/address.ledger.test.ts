import { AddressLedger } from './address.ledger';

const limits = { maxConnections: 2, ratePerSecond: 10, burst: 5 };

function ledgerAt(start = 0) {
  const clock = { now: start };
  return { clock, ledger: new AddressLedger(limits, () => clock.now) };
}

test('caps the sockets of one address, not of others, and frees a slot on release', () => {
  const { ledger } = ledgerAt();
  const first = ledger.attach('10.0.0.1');
  ledger.attach('10.0.0.1');
  expect(ledger.canConnect('10.0.0.1')).toBe(false);
  expect(ledger.canConnect('10.0.0.2')).toBe(true);
  first.release();
  first.release(); // a second release must not free another slot
  expect(ledger.canConnect('10.0.0.1')).toBe(true);
  ledger.attach('10.0.0.1');
  expect(ledger.canConnect('10.0.0.1')).toBe(false);
});

test('the sockets of one address share one bucket', () => {
  const { ledger } = ledgerAt();
  const a = ledger.attach('10.0.0.1');
  const b = ledger.attach('10.0.0.1');
  expect(a.bucket).toBe(b.bucket);
  expect(ledger.attach('10.0.0.2').bucket).not.toBe(a.bucket);
});

test('an address with no socket left is forgotten once its bucket has refilled, so the map cannot grow without bound', () => {
  const { clock, ledger } = ledgerAt();
  for (let i = 0; i < 1000; i++) ledger.attach(`10.1.${i >> 8}.${i & 255}`).release();
  expect(ledger.size).toBe(0); // untouched buckets are full: forgotten at once

  const slot = ledger.attach('10.0.0.9');
  for (let i = 0; i < 5; i++) slot.bucket.take(clock.now);
  slot.release();
  expect(ledger.size).toBe(1); // its burst is remembered, reconnecting does not reset it
  expect(ledger.attach('10.0.0.9').bucket.waitMs(clock.now)).toBeGreaterThan(0);
});

test('the sweep forgets idle addresses whose bucket refilled and keeps the others', () => {
  const { clock, ledger } = ledgerAt();
  const drained = ledger.attach('10.0.0.1');
  for (let i = 0; i < 5; i++) drained.bucket.take(clock.now);
  drained.release();
  const open = ledger.attach('10.0.0.2');
  for (let i = 0; i < 5; i++) open.bucket.take(clock.now);
  clock.now += 400;
  ledger.sweep();
  expect(ledger.size).toBe(2);
  clock.now += 100;
  ledger.sweep();
  expect(ledger.size).toBe(1);
  open.release();
  expect(ledger.size).toBe(0);
});
