import { randomUUID } from 'node:crypto';
import type { Account, PrismaClient } from '../../generated/prisma/client';
import type { VerifiedIdentity } from './oidc.provider';

/** Accounts found by an OpenID provider's (issuer, subject); the only key a provider's user has. */
export class ExternalIdentityRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** The linked account, noting the sign-in; null on the first sign-in of this user. */
  async accountOf(identity: VerifiedIdentity): Promise<Account | null> {
    const key = { issuer_subject: { issuer: identity.issuer, subject: identity.subject } };
    const link = await this.prisma.externalIdentity.findUnique({ where: key, include: { account: true } });
    if (!link) return null;
    await this.prisma.externalIdentity.update({ where: key, data: { lastUsedAt: new Date() } });
    return link.account;
  }

  /**
   * A new passwordless account and its link, in one transaction; null when the email already
   * belongs to an account (that account is not linked: see docs/accounts.md).
   */
  async createLinked(identity: VerifiedIdentity & { email: string }, name: string): Promise<Account | null> {
    return this.prisma.$transaction(async (tx) => {
      const id = randomUUID();
      const { count } = await tx.account.createMany({ data: [{ id, email: identity.email, name, passwordHash: null }], skipDuplicates: true });
      if (count === 0) return null;
      await tx.externalIdentity.create({ data: { issuer: identity.issuer, subject: identity.subject, accountId: id, email: identity.email } });
      return tx.account.findUniqueOrThrow({ where: { id } });
    });
  }
}
