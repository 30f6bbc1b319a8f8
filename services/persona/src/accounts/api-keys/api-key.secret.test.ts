import { matches, newApiKey, prefixOf } from './api-key.secret';

describe('API key secrets', () => {
  test('a new key carries its public prefix and matches only its own hash', () => {
    const { key, prefix, secretHash } = newApiKey();
    expect(key).toMatch(/^cbk_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{43}$/);
    expect(prefixOf(key)).toBe(prefix);
    expect(secretHash).not.toContain(key.slice(13));
    expect(matches(key, secretHash)).toBe(true);
    expect(matches(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`, secretHash)).toBe(false);
    expect(matches(newApiKey().key, secretHash)).toBe(false);
  });

  test('anything not shaped like a key has no prefix', () => {
    for (const bad of ['', 'cbk_short_x', 'Bearer abc', `cbk_12345678_${'a'.repeat(42)}`]) expect(prefixOf(bad)).toBeNull();
  });
});
