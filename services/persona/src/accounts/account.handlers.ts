import type { AccountResponse } from '@chatbot/proto';
import { AppError } from '@chatbot/runtime';
import type { LoggedHandler } from '../persona.metrics';
import { accountView, type Account, type AccountRepository } from './account.repository';
import type { PasswordHasher } from './passwords/password.hasher';

export interface AccountDeps {
  accounts: AccountRepository;
  passwords: PasswordHasher;
}

const found = (account: Account | null): AccountResponse => {
  if (!account) throw new AppError('E4016');
  return accountView(account);
};

/** A new customer account. The email being taken is said plainly (E4014): see docs/accounts.md. */
export function registerHandler(deps: AccountDeps): LoggedHandler<'accountRegister'> {
  return async ({ email, password, name }, _context, log) => {
    const account = await deps.accounts.create({ email, name, passwordHash: await deps.passwords.hash(password) });
    if (!account) throw new AppError('E4014');
    log.info({ accountId: account.id }, 'account registered');
    return accountView(account);
  };
}

export function getAccountHandler(deps: Pick<AccountDeps, 'accounts'>): LoggedHandler<'accountGet'> {
  return async ({ account_id }) => found(await deps.accounts.byId(account_id));
}

export function profileHandler(deps: Pick<AccountDeps, 'accounts'>): LoggedHandler<'accountProfile'> {
  return async ({ account_id, name, picture }) =>
    found(await deps.accounts.update(account_id, { ...(name !== undefined ? { name } : {}), ...(picture !== undefined ? { picture } : {}) }));
}

export function usageHandler(deps: Pick<AccountDeps, 'accounts'>): LoggedHandler<'accountUsage'> {
  return async ({ account_id }) => {
    const usage = await deps.accounts.incrementUsage(account_id);
    if (usage === null) throw new AppError('E4016');
    return { usage_count: usage };
  };
}

/**
 * An admin sets another account's role. The actor's role is read from the database, not from its
 * token, so an admin demoted a minute ago cannot use a token that still says admin.
 */
export function roleHandler(deps: Pick<AccountDeps, 'accounts'>): LoggedHandler<'accountRole'> {
  return async ({ actor_id, account_id, role }, _context, log) => {
    const actor = await deps.accounts.byId(actor_id);
    if (actor?.role !== 'admin') throw new AppError('E4013', 'only an admin sets roles');
    if (actor_id === account_id) throw new AppError('E4013', 'an admin cannot change their own role');
    const account = found(await deps.accounts.update(account_id, { role }));
    log.info({ actorId: actor_id, accountId: account_id, role }, 'role changed');
    return account;
  };
}
