import { createHash } from 'node:crypto';
import type { PrismaClient } from '../../generated/prisma/client';

export interface ThrottleLimits {
  perAccount: number;
  perAddress: number;
  windowSeconds: number;
}

/**
 * Failed logins counted per account and per client address in a fixed window, in Postgres so every
 * persona replica sees the same counts. Keys are hashes: the table holds no email or address.
 * A key at its limit refuses every attempt, right or wrong, until its window ends.
 */
export class LoginThrottle {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly limits: ThrottleLimits,
  ) {}

  /** Seconds the caller must wait, or 0 when it may try. */
  async retryAfter(email: string, address: string): Promise<number> {
    const keys = this.keysOf(email, address);
    const rows = await this.prisma.loginThrottle.findMany({ where: { key: { in: keys.map((k) => k.key) } } });
    const now = Date.now();
    let wait = 0;
    for (const row of rows) {
      const limit = keys.find((k) => k.key === row.key)!.limit;
      const endsAt = row.windowStart.getTime() + this.limits.windowSeconds * 1000;
      if (row.failures >= limit && endsAt > now) wait = Math.max(wait, Math.ceil((endsAt - now) / 1000));
    }
    return wait;
  }

  /** One more failure for both keys; a key whose window has ended starts a new one. */
  async failed(email: string, address: string): Promise<void> {
    for (const { key } of this.keysOf(email, address)) {
      await this.prisma.$executeRaw`
        INSERT INTO persona.login_throttles AS t (key, failures, window_start) VALUES (${key}, 1, now())
        ON CONFLICT (key) DO UPDATE SET
          failures = CASE WHEN t.window_start + make_interval(secs => ${this.limits.windowSeconds}) <= now() THEN 1 ELSE t.failures + 1 END,
          window_start = CASE WHEN t.window_start + make_interval(secs => ${this.limits.windowSeconds}) <= now() THEN now() ELSE t.window_start END`;
    }
  }

  /** A successful login clears the account's count (not the address's: one good password does not vouch for it). */
  async succeeded(email: string): Promise<void> {
    await this.prisma.loginThrottle.deleteMany({ where: { key: keyOf('account', email) } });
  }

  private keysOf(email: string, address: string) {
    return [
      { key: keyOf('account', email), limit: this.limits.perAccount },
      { key: keyOf('address', address), limit: this.limits.perAddress },
    ];
  }
}

const keyOf = (kind: 'account' | 'address', value: string) => createHash('sha256').update(`${kind}:${value}`).digest('hex');
