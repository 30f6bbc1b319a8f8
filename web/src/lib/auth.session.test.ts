import type { AccountResponse, TokenResponse } from '@chatbot/proto';
import type { ApiResult } from './auth.api';
import { AuthSession, refreshDelayMs } from './auth.session';

/**
 * The token keeper's decisions, with the gateway's answers played by the test: when it refreshes,
 * that it never sends two refreshes with one token, and what a refused token does.
 */
const ACCOUNT: AccountResponse = { id: 'a1b2c3d4-0000-4000-8000-000000000001', email: 'a@example.com', name: 'A', role: 'customer', usage_count: 0, created_at: 't' };
const tokens = (n: number): TokenResponse => ({ access_token: `access-${n}`, refresh_token: `refresh-${n}`, token_type: 'bearer', expires_in: 900 });

function harness(refreshAnswer: () => Promise<ApiResult<TokenResponse>>) {
  const map = new Map<string, string>();
  const store = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k) };
  const sent: string[] = [];
  const changes: Array<string | null> = [];
  const timers: number[] = [];
  let now = 0;
  const session = new AuthSession({
    store,
    onChange: (account) => changes.push(account?.email ?? null),
    api: {
      refresh: (token) => (sent.push(`refresh ${token}`), refreshAnswer()),
      logout: async (token) => (sent.push(`logout ${token}`), { ok: true, body: undefined }),
      me: async () => ({ ok: true, body: ACCOUNT }),
    },
    now: () => now,
    setTimer: (_run, ms) => timers.push(ms),
    clearTimer: () => undefined,
  });
  return { session, store, stored: () => [...map.values()], sent, changes, timers, later: (ms: number) => (now += ms) };
}

test('a 15-minute token is refreshed a minute early; a short one a fifth early, never sooner than 5 s', () => {
  expect(refreshDelayMs(900)).toBe(840_000);
  expect(refreshDelayMs(60)).toBe(48_000);
  expect(refreshDelayMs(2)).toBe(5_000);
});

test('signed in: the refresh token is kept in the store, the access token only in memory, refreshed before it is due', async () => {
  let n = 1;
  const h = harness(async () => ({ ok: true, body: tokens(++n) }));
  expect(await h.session.signIn(tokens(1))).toBe(true);
  expect(h.changes).toEqual(['a@example.com']);
  expect(h.store.getItem('auth.refresh')).toBe('refresh-1');
  expect(h.stored()).toEqual(['refresh-1']);
  expect(h.timers).toEqual([840_000]);
  expect(await h.session.token()).toBe('access-1');
  h.later(840_000);
  expect(await h.session.token()).toBe('access-2');
  expect(h.sent).toEqual(['refresh refresh-1']);
  expect(h.store.getItem('auth.refresh')).toBe('refresh-2');
});

test('two refreshes asked at once send one request: a second one with the same token would revoke the session', async () => {
  let release: (answer: ApiResult<TokenResponse>) => void = () => undefined;
  const h = harness(() => new Promise((resolve) => (release = resolve)));
  await h.session.signIn(tokens(1));
  const both = Promise.all([h.session.refresh(), h.session.refresh()]);
  release({ ok: true, body: tokens(2) });
  expect(await both).toEqual([true, true]);
  expect(h.sent).toEqual(['refresh refresh-1']);
});

test('a refused refresh token signs out; an unreachable gateway keeps it for a later try', async () => {
  const refused = harness(async () => ({ ok: false, status: 401, code: 'E4015' }));
  await refused.session.signIn(tokens(1));
  expect(await refused.session.refresh()).toBe(false);
  expect(refused.changes).toEqual(['a@example.com', null]);
  expect(refused.store.getItem('auth.refresh')).toBeNull();
  expect(await refused.session.token()).toBeNull();

  const offline = harness(async () => ({ ok: false, status: 0, code: 'offline' }));
  await offline.session.signIn(tokens(1));
  expect(await offline.session.refresh()).toBe(false);
  expect(offline.store.getItem('auth.refresh')).toBe('refresh-1');
  expect(offline.timers.at(-1)).toBe(10_000);
});

test('sign out forgets the tokens at once and revokes the refresh token at the gateway', async () => {
  const h = harness(async () => ({ ok: true, body: tokens(2) }));
  await h.session.signIn(tokens(1));
  await h.session.signOut();
  expect(h.sent).toEqual(['logout refresh-1']);
  expect(h.session.currentToken()).toBeNull();
  expect(h.changes).toEqual(['a@example.com', null]);
  expect(await h.session.restore()).toBe(false);
});
