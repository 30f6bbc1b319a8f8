import { randomUUID } from 'node:crypto';
import type { ApiKeyItem, ApiKeyScope, Role } from '@chatbot/proto';
import { AppError } from '@chatbot/runtime';
import type { ApiKey, PrismaClient } from '../../generated/prisma/client';
import type { LoggedHandler } from '../../persona.metrics';
import type { AccountRepository } from '../account.repository';
import { matches, newApiKey, prefixOf } from './api-key.secret';

export interface ApiKeyDeps {
  prisma: PrismaClient;
  accounts: AccountRepository;
  defaultExpiryDays: number;
}

const view = (row: ApiKey): ApiKeyItem => ({
  id: row.id,
  name: row.name,
  prefix: `cbk_${row.prefix}`,
  scopes: row.scopes as ApiKeyScope[],
  created_at: row.createdAt.toISOString(),
  expires_at: row.expiresAt.toISOString(),
  revoked_at: row.revokedAt?.toISOString() ?? null,
  last_used_at: row.lastUsedAt?.toISOString() ?? null,
});

/** API keys are an admin's tool: the actor's role is read from the database on every call. */
async function requireAdmin(deps: ApiKeyDeps, actorId: string): Promise<void> {
  if ((await deps.accounts.byId(actorId))?.role !== 'admin') throw new AppError('E4013', 'only an admin manages API keys');
}

export function createApiKeyHandler(deps: ApiKeyDeps): LoggedHandler<'apiKeyCreate'> {
  return async ({ actor_id, name, scopes, expires_in_days }, _context, log) => {
    await requireAdmin(deps, actor_id);
    const { key, prefix, secretHash } = newApiKey();
    const expiresAt = new Date(Date.now() + (expires_in_days ?? deps.defaultExpiryDays) * 86_400_000);
    const row = await deps.prisma.apiKey.create({
      data: { id: randomUUID(), accountId: actor_id, name, prefix, secretHash, scopes: [...new Set(scopes)], expiresAt },
    });
    log.info({ actorId: actor_id, keyId: row.id, scopes: row.scopes }, 'API key created');
    return { ...view(row), key };
  };
}

export function listApiKeysHandler(deps: ApiKeyDeps): LoggedHandler<'apiKeyList'> {
  return async ({ actor_id }) => {
    await requireAdmin(deps, actor_id);
    const rows = await deps.prisma.apiKey.findMany({ where: { accountId: actor_id }, orderBy: { createdAt: 'desc' } });
    return { api_keys: rows.map(view) };
  };
}

export function revokeApiKeyHandler(deps: ApiKeyDeps): LoggedHandler<'apiKeyRevoke'> {
  return async ({ actor_id, key_id }, _context, log) => {
    await requireAdmin(deps, actor_id);
    const { count } = await deps.prisma.apiKey.updateMany({ where: { id: key_id, accountId: actor_id, revokedAt: null }, data: { revokedAt: new Date() } });
    const row = await deps.prisma.apiKey.findFirst({ where: { id: key_id, accountId: actor_id } });
    if (!row) throw new AppError('E4016', 'no such API key');
    if (count > 0) log.info({ actorId: actor_id, keyId: key_id }, 'API key revoked');
    return view(row);
  };
}

/**
 * Who a key acts for. Unknown, malformed, revoked and expired keys get the same E4012. The key
 * acts with its creator's current role, so demoting the creator also narrows the key.
 */
export function verifyApiKeyHandler(deps: ApiKeyDeps): LoggedHandler<'apiKeyVerify'> {
  return async ({ key }) => {
    const prefix = prefixOf(key);
    const row = prefix ? await deps.prisma.apiKey.findUnique({ where: { prefix }, include: { account: true } }) : null;
    if (!row || !matches(key, row.secretHash) || row.revokedAt || row.expiresAt.getTime() <= Date.now()) throw new AppError('E4012');
    await deps.prisma.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
    return { key_id: row.id, account_id: row.accountId, role: row.account.role as Role, scopes: row.scopes as ApiKeyScope[], expires_at: row.expiresAt.toISOString() };
  };
}
