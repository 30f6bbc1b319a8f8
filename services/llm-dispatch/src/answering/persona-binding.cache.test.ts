import type { HistoryTurn } from '@chatbot/proto';
import { loginSince, PersonaBindingCache } from './persona-binding.cache';

const T0 = Date.parse('2026-11-21T10:00:00.000Z');

describe('remembering the persona of a session', () => {
  it('reuses a binding until it is older than the TTL', () => {
    let now = T0;
    const cache = new PersonaBindingCache(30_000, () => now);
    cache.remember('s-1', 3, T0);
    now = T0 + 29_999;
    expect(cache.fresh('s-1')).toEqual({ personaId: 3, askedAt: T0 });
    now = T0 + 30_000;
    expect(cache.fresh('s-1')).toBeUndefined();
  });

  it('remembers an unbound session too, and nothing with a zero TTL', () => {
    const cache = new PersonaBindingCache(30_000, () => T0);
    cache.remember('s-1', null, T0);
    expect(cache.fresh('s-1')).toEqual({ personaId: null, askedAt: T0 });
    const none = new PersonaBindingCache(0, () => T0);
    none.remember('s-1', 3, T0);
    expect(none.fresh('s-1')).toBeUndefined();
  });

  it('forgets the least recently asked session when full', () => {
    const cache = new PersonaBindingCache(30_000, () => T0);
    for (let i = 0; i < 10_000; i += 1) cache.remember(`s-${i}`, 1, T0);
    cache.remember('s-0', 2, T0); // asked again: now the newest
    cache.remember('s-new', 3, T0);
    expect(cache.fresh('s-0')?.personaId).toBe(2);
    expect(cache.fresh('s-1')).toBeUndefined();
    expect(cache.fresh('s-new')?.personaId).toBe(3);
  });
});

const at = (ms: number) => new Date(T0 + ms).toISOString();
const user = (id: string, ms: number): HistoryTurn => ({ role: 'user', content: '질문', message_id: id, at: at(ms) });
const bot = (id: string, ms: number): HistoryTurn => ({ role: 'assistant', content: '답변', message_id: id, at: at(ms) });

describe('seeing a login in the history', () => {
  it('sees none in answers that follow their prompts', () => {
    expect(loginSince([user('m1', 0), bot('m1', 100), user('m2', 200), bot('m2', 300)], T0)).toBe(false);
  });

  it('sees the pushed recommendation of a login since the binding was asked', () => {
    expect(loginSince([user('m1', 0), bot('m1', 100), bot('push-1', 5_000)], T0)).toBe(true);
    // A push shown under the prompt that asked to log in still follows an answer, not its prompt.
    expect(loginSince([user('m1', 0), bot('m1', 100), bot('m1', 5_000)], T0)).toBe(true);
  });

  it('ignores a push from before the binding was asked, beyond clock skew', () => {
    expect(loginSince([bot('push-1', -10_000), user('m1', -9_000), bot('m1', -8_000)], T0)).toBe(false);
    expect(loginSince([bot('push-1', -1_000), user('m1', 0)], T0)).toBe(true);
  });
});
