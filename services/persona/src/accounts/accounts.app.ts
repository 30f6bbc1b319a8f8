import { createAccessTokenSigner, type AccessTokenConfig, type AccessTokenSigner } from '@chatbot/auth';
import type { Bus } from '@chatbot/bus';
import type { RequestKey } from '@chatbot/proto';
import { AppError, type Logger } from '@chatbot/runtime';
import type { Config } from '../config';
import type { PrismaClient } from '../generated/prisma/client';
import { instrument, type LoggedHandler, type PersonaMetrics } from '../persona.metrics';
import { getAccountHandler, profileHandler, registerHandler, roleHandler, usageHandler } from './account.handlers';
import { AccountRepository } from './account.repository';
import { createApiKeyHandler, listApiKeysHandler, revokeApiKeyHandler, verifyApiKeyHandler } from './api-keys/api-key.handlers';
import { LoginThrottle, type ThrottleLimits } from './passwords/login.throttle';
import { createPasswordHasher, type Argon2Parameters, type PasswordHasher } from './passwords/password.hasher';
import { changePasswordHandler, loginHandler, logoutHandler, refreshHandler } from './sign-in.handlers';
import { ExternalIdentityRepository } from './oidc/external-identity.repository';
import { oidcFinishHandler, oidcStartHandler } from './oidc/oidc.handlers';
import { OidcProvider, type OidcSettings } from './oidc/oidc.provider';
import { TransactionSealer } from './oidc/oidc.transaction';
import { RefreshTokenStore } from './tokens/refresh-token.store';
import { TokenIssuer } from './tokens/token.issuer';

export interface AccountSettings {
  tokens: AccessTokenConfig;
  refreshTokenTtlDays: number;
  argon2: Argon2Parameters;
  throttle: ThrottleLimits;
  apiKeyExpiryDays: number;
  /** null: sign-in with an OpenID provider is off (E5008). */
  oidc: OidcSettings | null;
}

export function accountSettings(config: Config): AccountSettings {
  return {
    tokens: config,
    refreshTokenTtlDays: config.REFRESH_TOKEN_TTL_DAYS,
    argon2: { memoryKib: config.ARGON2_MEMORY_KIB, timeCost: config.ARGON2_TIME_COST, parallelism: config.ARGON2_PARALLELISM },
    throttle: {
      perAccount: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      perAddress: config.LOGIN_MAX_FAILURES_PER_ADDRESS,
      windowSeconds: config.LOGIN_THROTTLE_WINDOW_SECONDS,
    },
    apiKeyExpiryDays: config.API_KEY_EXPIRY_DAYS,
    oidc: config.OIDC_ISSUER && config.OIDC_CLIENT_ID && config.OIDC_CLIENT_SECRET && config.OIDC_REDIRECT_URL
      ? {
          issuer: config.OIDC_ISSUER,
          clientId: config.OIDC_CLIENT_ID,
          clientSecret: config.OIDC_CLIENT_SECRET,
          redirectUrl: config.OIDC_REDIRECT_URL,
          scopes: config.OIDC_SCOPES,
          clockToleranceSeconds: config.JWT_CLOCK_TOLERANCE_SECONDS,
        }
      : null,
  };
}

const accountKeys = [
  'accountRegister', 'accountLogin', 'accountRefresh', 'accountLogout', 'accountGet', 'accountPassword',
  'accountProfile', 'accountUsage', 'accountRole', 'apiKeyCreate', 'apiKeyList', 'apiKeyRevoke', 'apiKeyVerify',
  'accountOidcStart', 'accountOidcFinish',
] as const satisfies readonly RequestKey[];
type AccountKey = (typeof accountKeys)[number];

export interface AccountsDeps {
  prisma: PrismaClient;
  settings: AccountSettings;
}

export interface Accounts {
  /** Answers persona.account.* and persona.apikey.*; without a signing key, each answers E5007 (but `options`). */
  serve(bus: Bus, observed: { logger: Logger; metrics: PersonaMetrics }): void;
}

/** Prepares the password hasher (the only step that awaits); registers nothing yet. */
export async function prepareAccounts(deps: AccountsDeps): Promise<Accounts> {
  const signer = createAccessTokenSigner(deps.settings.tokens);
  const passwords = signer ? await createPasswordHasher(deps.settings.argon2) : null;
  return {
    serve(bus, observed) {
      const handlers = signer && passwords ? accountHandlers(deps, signer, passwords, observed) : null;
      for (const key of accountKeys) serve(bus, key, instrument(key, observed, handlers ? handlers[key] : notConfigured));
      if (!handlers) observed.logger.info('accounts are off: no JWT_SECRET or JWT_PRIVATE_KEY configured');
      // answered even with accounts off, so a sign-in page can say so instead of failing
      const options = { accounts: handlers !== null, oidc: handlers !== null && deps.settings.oidc !== null };
      bus.serve('accountOptions', instrument('accountOptions', observed, async () => options));
    },
  };
}

// One generic call per key: the map's value type depends on the key, which TypeScript cannot follow.
const serve = (bus: Bus, key: AccountKey, handler: ReturnType<typeof instrument<AccountKey>>) => bus.serve(key, handler as never);

const notConfigured = async (): Promise<never> => {
  throw new AppError('E5007');
};

function accountHandlers(
  deps: AccountsDeps,
  signer: AccessTokenSigner,
  passwords: PasswordHasher,
  observed: { logger: Logger; metrics: PersonaMetrics },
): { [K in AccountKey]: LoggedHandler<K> } {
  const { metrics } = observed;
  const accounts = new AccountRepository(deps.prisma);
  const refreshTokens = new RefreshTokenStore(deps.prisma, deps.settings.refreshTokenTtlDays);
  const tokens = new TokenIssuer(signer, refreshTokens);
  const throttle = new LoginThrottle(deps.prisma, deps.settings.throttle);
  const signIn = { accounts, passwords, tokens, refreshTokens, throttle, metrics };
  const keys = { prisma: deps.prisma, accounts, defaultExpiryDays: deps.settings.apiKeyExpiryDays };
  return {
    accountRegister: registerHandler({ accounts, passwords }),
    accountLogin: loginHandler(signIn),
    accountRefresh: refreshHandler(signIn),
    accountLogout: logoutHandler(signIn),
    accountGet: getAccountHandler({ accounts }),
    accountPassword: changePasswordHandler(signIn),
    accountProfile: profileHandler({ accounts }),
    accountUsage: usageHandler({ accounts }),
    accountRole: roleHandler({ accounts }),
    apiKeyCreate: createApiKeyHandler(keys),
    apiKeyList: listApiKeysHandler(keys),
    apiKeyRevoke: revokeApiKeyHandler(keys),
    apiKeyVerify: verifyApiKeyHandler(keys),
    ...oidcHandlers(deps, tokens, observed),
  };
}

const oidcOff = async (): Promise<never> => {
  throw new AppError('E5008');
};

function oidcHandlers(deps: AccountsDeps, tokens: TokenIssuer, observed: { logger: Logger; metrics: PersonaMetrics }) {
  const settings = deps.settings.oidc;
  if (!settings) return { accountOidcStart: oidcOff, accountOidcFinish: oidcOff };
  const oidc = {
    provider: new OidcProvider(settings, observed.logger.child({ module: 'oidc' })),
    sealer: new TransactionSealer(settings.clientSecret),
    identities: new ExternalIdentityRepository(deps.prisma),
    tokens,
    metrics: observed.metrics,
  };
  return { accountOidcStart: oidcStartHandler(oidc), accountOidcFinish: oidcFinishHandler(oidc) };
}
