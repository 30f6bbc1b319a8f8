import type { Bus } from '@chatbot/bus';
import { createAccessTokenVerifier } from '@chatbot/auth';
import type { Logger } from '@chatbot/runtime';
import type { Config } from '../config';
import { apiKeyLookup } from './api-key.lookup';
import type { CallerDeps } from './caller.middleware';

/** What the auth routes need beyond the REST deps, from the gateway's configuration. */
export interface AuthSetup {
  auth: CallerDeps & { trustedProxyHops: number };
}

export function authSetup(config: Config, bus: Bus, logger: Logger): AuthSetup {
  const verifier = createAccessTokenVerifier(config);
  if (!verifier) logger.info('accounts are off: no JWT_SECRET or JWT_PUBLIC_KEY configured');
  const apiKeys = apiKeyLookup({ bus, timeoutMs: config.REQUEST_TIMEOUT_MS, cacheSeconds: config.API_KEY_CACHE_SECONDS });
  return { auth: { verifier, apiKeys, logger, trustedProxyHops: config.TRUST_PROXY } };
}
