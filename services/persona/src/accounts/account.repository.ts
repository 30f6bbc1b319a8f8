import { randomUUID } from 'node:crypto';
import type { AccountResponse, Role } from '@chatbot/proto';
import type { Account, Prisma, PrismaClient } from '../generated/prisma/client';

export type { Account };

/** The accounts table; every method is one statement. */
export class AccountRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** null when the email is taken. */
  async create(fields: { email: string; name: string; passwordHash: string | null; role?: Role }): Promise<Account | null> {
    const id = randomUUID();
    // ON CONFLICT DO NOTHING: a taken email is an answer, not an error to catch
    const { count } = await this.prisma.account.createMany({ data: [{ id, ...fields }], skipDuplicates: true });
    return count === 0 ? null : this.byId(id);
  }

  byEmail(email: string): Promise<Account | null> {
    return this.prisma.account.findUnique({ where: { email } });
  }

  byId(id: string): Promise<Account | null> {
    return this.prisma.account.findUnique({ where: { id } });
  }

  /** null when there is no such account (the update would have thrown). */
  async update(id: string, data: Prisma.AccountUpdateInput): Promise<Account | null> {
    const result = await this.prisma.account.updateMany({ where: { id }, data: { ...data, updatedAt: new Date() } });
    return result.count === 0 ? null : this.byId(id);
  }

  async incrementUsage(id: string): Promise<number | null> {
    const rows = await this.prisma.$queryRaw<{ usage_count: number }[]>`
      UPDATE persona.accounts SET usage_count = usage_count + 1 WHERE id = ${id}::uuid RETURNING usage_count`;
    return rows[0]?.usage_count ?? null;
  }

  /** create-admin: the account with this email becomes an admin with this password (and name). */
  upsertAdmin(fields: { email: string; name: string; passwordHash: string }): Promise<Account> {
    const now = new Date();
    return this.prisma.account.upsert({
      where: { email: fields.email },
      create: { id: randomUUID(), ...fields, role: 'admin' },
      update: { ...fields, role: 'admin', updatedAt: now, passwordChangedAt: now },
    });
  }
}

/** The account as `me` shows it: never the hash. */
export function accountView(account: Account): AccountResponse {
  return {
    id: account.id,
    email: account.email,
    name: account.name,
    role: account.role as Role,
    ...(account.picture ? { picture: account.picture } : {}),
    usage_count: account.usageCount,
    created_at: account.createdAt.toISOString(),
  };
}
