import { deleteFrom, PromptLedger } from './prompt.ledger';

test('a prompt is pending from its publish, in flight until its ack, and settled once', () => {
  const ledger = new PromptLedger();
  const prompt = ledger.begin('m1', 'c1');
  expect(ledger.inFlight('m1')).toBe(true);
  expect(ledger.begin('m1', 'c2')).toBeUndefined();
  expect(ledger.current('m1', 'c2')).toBeUndefined();
  prompt!.acceptedAt = 0;
  expect(ledger.inFlight('m1')).toBe(false);
  expect(ledger.settle('m1', 'replied')).toBe(prompt);
  expect(ledger.size).toBe(0);
  expect(ledger.isSettled('m1')).toBe(true);
  expect(ledger.answeredLocally('m1')).toBe(false);
  expect(ledger.begin('m1', 'c3')).toBeUndefined();
});

test('outcomes the user got from the gateway itself count as answered locally; a refusal is remembered', () => {
  const ledger = new PromptLedger();
  ledger.settle('t', 'timeout');
  ledger.settle('u', 'unavailable');
  ledger.settle('r', 'rejected');
  expect(['t', 'u', 'r'].map((id) => ledger.answeredLocally(id))).toEqual([true, true, true]);
  expect(['t', 'u', 'r'].map((id) => ledger.refused(id))).toEqual([false, false, true]);
});

test('a forgotten prompt (its publish failed) may begin again', () => {
  const ledger = new PromptLedger();
  ledger.begin('m1', 'c1');
  ledger.forget('m1');
  expect(ledger.begin('m1', 'c2')).toBeDefined();
});

test('remembers the last 512 settled prompts, oldest forgotten first', () => {
  const ledger = new PromptLedger();
  for (let i = 0; i <= 512; i++) ledger.settle(`m${i}`, 'replied');
  expect(ledger.isSettled('m0')).toBe(false);
  expect(ledger.isSettled('m1')).toBe(true);
  expect(ledger.isSettled('m512')).toBe(true);
});

test('a Map emptied by deleteFrom is given back; one still holding keys is kept', () => {
  const map = new Map([['a', 1], ['b', 2]]);
  expect(deleteFrom(map, 'a')).toBe(map);
  expect(deleteFrom(map, 'b')).toBeUndefined();
  expect(deleteFrom(undefined, 'a')).toBeUndefined();
});
