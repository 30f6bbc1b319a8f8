import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../generated/prisma/client';

/** What presenting a refresh token did. */
export type Rotation =
  | { outcome: 'rotated'; accountId: string; token: string }
  /** The token was already used: someone replayed it, so its whole family is now revoked. */
  | { outcome: 'reused'; accountId: string; familyId: string }
  | { outcome: 'invalid' };

/** 32 random bytes: the token itself is never stored, only its SHA-256. */
const newToken = () => randomBytes(32).toString('base64url');
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Refresh tokens with rotation and reuse detection (RFC 9700 §4.14.2): each use marks the token
 * used and issues the next one of the same family; a used or revoked token presented again revokes
 * the family, so a thief and the victim are both logged out of that session.
 */
export class RefreshTokenStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly ttlDays: number,
  ) {}

  /** The first token of a new family (a login). */
  issue(accountId: string): Promise<string> {
    return this.insert(accountId, randomUUID());
  }

  async rotate(token: string): Promise<Rotation> {
    const tokenHash = hashToken(token);
    // One statement marks it used, so two concurrent uses cannot both rotate it.
    const used = await this.prisma.$queryRaw<{ family_id: string; account_id: string }[]>`
      UPDATE persona.refresh_tokens SET used_at = now()
      WHERE token_hash = ${tokenHash} AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
      RETURNING family_id::text, account_id::text`;
    if (used.length === 1) {
      const { family_id, account_id } = used[0];
      return { outcome: 'rotated', accountId: account_id, token: await this.insert(account_id, family_id) };
    }
    const known = await this.prisma.refreshToken.findUnique({ where: { tokenHash } });
    // unknown, expired, or revoked (logout, password change) without having been used
    if (!known || known.usedAt === null) return { outcome: 'invalid' };
    await this.revokeFamily(known.familyId);
    return { outcome: 'reused', accountId: known.accountId, familyId: known.familyId };
  }

  /** Logout: the family of the token, if the token is ours. */
  async revokeFamilyOf(token: string): Promise<boolean> {
    const known = await this.prisma.refreshToken.findUnique({ where: { tokenHash: hashToken(token) } });
    if (!known) return false;
    await this.revokeFamily(known.familyId);
    return true;
  }

  /** A password change: every session of the account. */
  async revokeAccount(accountId: string): Promise<void> {
    await this.prisma.refreshToken.updateMany({ where: { accountId, revokedAt: null }, data: { revokedAt: new Date() } });
  }

  private async revokeFamily(familyId: string): Promise<void> {
    await this.prisma.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: new Date() } });
  }

  private async insert(accountId: string, familyId: string): Promise<string> {
    const token = newToken();
    const expiresAt = new Date(Date.now() + this.ttlDays * 86_400_000);
    await this.prisma.refreshToken.create({ data: { id: randomUUID(), familyId, accountId, tokenHash: hashToken(token), expiresAt } });
    return token;
  }
}
