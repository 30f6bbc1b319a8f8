import { AppError } from '@chatbot/runtime';
import type { LoggedHandler, PersonaMetrics } from '../persona.metrics';
import type { AccountRepository } from './account.repository';
import type { LoginThrottle } from './passwords/login.throttle';
import type { PasswordHasher } from './passwords/password.hasher';
import type { RefreshTokenStore } from './tokens/refresh-token.store';
import type { TokenIssuer } from './tokens/token.issuer';

export interface SignInDeps {
  accounts: AccountRepository;
  passwords: PasswordHasher;
  throttle: LoginThrottle;
  tokens: TokenIssuer;
  refreshTokens: RefreshTokenStore;
  metrics: PersonaMetrics;
}

/**
 * Email and password → tokens. A wrong password and an unknown email take the same time and get
 * the same answer (E4011); failures count per account and address (E4004 past the limit).
 */
export function loginHandler(deps: SignInDeps): LoggedHandler<'accountLogin'> {
  return async ({ email, password, address }, _context, log) => {
    const wait = await deps.throttle.retryAfter(email, address);
    if (wait > 0) {
      deps.metrics.accountEvents.inc({ event: 'login_throttled' });
      log.info({ retryAfterSeconds: wait }, 'login throttled');
      return { outcome: 'throttled', retry_after_seconds: wait };
    }
    const account = await deps.accounts.byEmail(email);
    if (!(await deps.passwords.verify(account?.passwordHash ?? null, password)) || !account) {
      await deps.throttle.failed(email, address);
      throw new AppError('E4011');
    }
    await deps.throttle.succeeded(email);
    if (account.passwordHash && deps.passwords.needsRehash(account.passwordHash)) {
      await deps.accounts.update(account.id, { passwordHash: await deps.passwords.hash(password) });
    }
    log.info({ accountId: account.id }, 'logged in');
    return { outcome: 'tokens', tokens: await deps.tokens.startSession(account) };
  };
}

/** Rotates the refresh token; a replayed one revokes its family and is refused like any bad token. */
export function refreshHandler(deps: SignInDeps): LoggedHandler<'accountRefresh'> {
  return async ({ refresh_token }, _context, log) => {
    const rotation = await deps.refreshTokens.rotate(refresh_token);
    if (rotation.outcome === 'reused') {
      deps.metrics.accountEvents.inc({ event: 'refresh_reused' });
      log.warn({ accountId: rotation.accountId, familyId: rotation.familyId }, 'refresh token reused: family revoked');
    }
    if (rotation.outcome !== 'rotated') throw new AppError('E4015');
    const account = await deps.accounts.byId(rotation.accountId);
    if (!account) throw new AppError('E4015');
    return deps.tokens.pair(account, rotation.token);
  };
}

export function logoutHandler(deps: SignInDeps): LoggedHandler<'accountLogout'> {
  return async ({ refresh_token }) => ({ revoked: await deps.refreshTokens.revokeFamilyOf(refresh_token) });
}

/**
 * Needs the current password (throttled like a login). Every refresh token of the account is
 * revoked, and the caller gets a new pair so this session goes on.
 */
export function changePasswordHandler(deps: SignInDeps): LoggedHandler<'accountPassword'> {
  return async ({ account_id, current_password, new_password, address }, _context, log) => {
    const account = await deps.accounts.byId(account_id);
    if (!account) throw new AppError('E4016');
    const wait = await deps.throttle.retryAfter(account.email, address);
    if (wait > 0) {
      deps.metrics.accountEvents.inc({ event: 'login_throttled' });
      return { outcome: 'throttled', retry_after_seconds: wait };
    }
    if (!(await deps.passwords.verify(account.passwordHash, current_password))) {
      await deps.throttle.failed(account.email, address);
      throw new AppError('E4011', 'the current password is wrong');
    }
    await deps.accounts.update(account.id, { passwordHash: await deps.passwords.hash(new_password), passwordChangedAt: new Date() });
    await deps.refreshTokens.revokeAccount(account.id);
    deps.metrics.accountEvents.inc({ event: 'password_changed' });
    log.info({ accountId: account.id }, 'password changed, refresh tokens revoked');
    return { outcome: 'tokens', tokens: await deps.tokens.startSession(account) };
  };
}
