import { createPasswordHasher } from './password.hasher';

const owaspMinimum = { memoryKib: 19_456, timeCost: 2, parallelism: 1 };

describe('password hasher (argon2id)', () => {
  test('hashes with argon2id and the configured parameters, a fresh salt each time', async () => {
    const hasher = await createPasswordHasher(owaspMinimum);
    const first = await hasher.hash('correct horse battery');
    expect(first).toMatch(/^\$argon2id\$v=19\$(?=[^$]*m=19456)(?=[^$]*t=2)(?=[^$]*p=1)/);
    expect(await hasher.hash('correct horse battery')).not.toBe(first);
  });

  test('accepts the password and refuses any other, and refuses without a hash', async () => {
    const hasher = await createPasswordHasher(owaspMinimum);
    const hash = await hasher.hash('correct horse battery');
    expect(await hasher.verify(hash, 'correct horse battery')).toBe(true);
    expect(await hasher.verify(hash, 'correct horse batterY')).toBe(false);
    expect(await hasher.verify(null, 'correct horse battery')).toBe(false);
  });

  test('a hash made with weaker parameters asks to be redone', async () => {
    const stronger = await createPasswordHasher({ ...owaspMinimum, timeCost: 3 });
    const weak = await (await createPasswordHasher(owaspMinimum)).hash('pw-12345678');
    expect(stronger.needsRehash(weak)).toBe(true);
    expect(stronger.needsRehash(await stronger.hash('pw-12345678'))).toBe(false);
  });
});
