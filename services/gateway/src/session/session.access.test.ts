import { mayOpen } from './session.access';

const alice = 'a1a1a1a1-0000-4000-8000-000000000001';

test('an account may open a new session and its own, nothing else', () => {
  expect(mayOpen('new', alice)).toBe(true);
  expect(mayOpen('owner', alice)).toBe(true);
  expect(mayOpen('anonymous', alice)).toBe(false);
  expect(mayOpen('other', alice)).toBe(false);
});

test('an anonymous socket may open a new session and an anonymous one, nothing else', () => {
  expect(mayOpen('new', null)).toBe(true);
  expect(mayOpen('anonymous', null)).toBe(true);
  expect(mayOpen('owner', null)).toBe(false);
  expect(mayOpen('other', null)).toBe(false);
});
