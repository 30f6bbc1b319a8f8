import { maySend, sessionAccessOf } from './session-access';

const ALICE = 'a11ce000-0000-4000-8000-000000000000';
const BOB = 'b0b00000-0000-4000-8000-000000000000';
const row = (ownerId: string | null, nextTurn: number, deleted = false) => ({ ownerId, nextTurn, deleted });

describe('sessionAccessOf', () => {
  test('an unknown session, or one with no message and no owner, is new for anyone', () => {
    expect(sessionAccessOf(undefined, ALICE)).toBe('new');
    expect(sessionAccessOf(undefined, null)).toBe('new');
    expect(sessionAccessOf(row(null, 1), ALICE)).toBe('new');
  });

  test('an owned session is its owner\'s and another\'s for everyone else, anonymous callers too', () => {
    expect(sessionAccessOf(row(ALICE, 1), ALICE)).toBe('owner');
    expect(sessionAccessOf(row(ALICE, 5), BOB)).toBe('other');
    expect(sessionAccessOf(row(ALICE, 5), null)).toBe('other');
  });

  test('a session with messages and no owner is anonymous', () => {
    expect(sessionAccessOf(row(null, 3), null)).toBe('anonymous');
    expect(sessionAccessOf(row(null, 3), ALICE)).toBe('anonymous');
  });

  test('a deleted session is nobody\'s, its former owner included', () => {
    expect(sessionAccessOf(row(ALICE, 4, true), ALICE)).toBe('other');
    expect(sessionAccessOf(row(null, 4, true), null)).toBe('other');
  });
});

describe('maySend', () => {
  test('the owner and anyone on a new session may send; an account may not write into an anonymous session', () => {
    expect(maySend('new', ALICE)).toBe(true);
    expect(maySend('new', null)).toBe(true);
    expect(maySend('owner', ALICE)).toBe(true);
    expect(maySend('anonymous', null)).toBe(true);
    expect(maySend('anonymous', ALICE)).toBe(false);
    expect(maySend('other', BOB)).toBe(false);
  });
});
