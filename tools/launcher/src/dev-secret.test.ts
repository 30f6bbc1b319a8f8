import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devJwtSecret } from './dev-secret';

describe('npm start JWT secret', () => {
  const dir = mkdtempSync(join(tmpdir(), 'launcher-secret-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('made once, kept owner-only, and the same on the next start', () => {
    const first = devJwtSecret(join(dir, 'data'), {});
    expect(first.JWT_SECRET).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(dir, 'data', 'jwt-secret')).mode & 0o777).toBe(0o600);
    expect(devJwtSecret(join(dir, 'data'), {})).toEqual(first);
  });

  test('a configured secret or key pair wins', () => {
    expect(devJwtSecret(join(dir, 'other'), { JWT_SECRET: 'x'.repeat(32) })).toEqual({});
    expect(devJwtSecret(join(dir, 'other'), { JWT_PRIVATE_KEY: 'pem' })).toEqual({});
  });
});
