import { AppError } from '@chatbot/runtime';
import type { LoggedHandler, PersonaMetrics } from '../../persona.metrics';
import type { TokenIssuer } from '../tokens/token.issuer';
import type { ExternalIdentityRepository } from './external-identity.repository';
import type { OidcProvider } from './oidc.provider';
import { TransactionSealer } from './oidc.transaction';

export interface OidcDeps {
  provider: OidcProvider;
  sealer: TransactionSealer;
  identities: ExternalIdentityRepository;
  tokens: TokenIssuer;
  metrics: PersonaMetrics;
}

/** A fresh state, nonce and PKCE verifier: the provider's URL for the browser, the rest sealed. */
export function oidcStartHandler(deps: OidcDeps): LoggedHandler<'accountOidcStart'> {
  return async () => {
    const transaction = TransactionSealer.fresh();
    const authorizationUrl = await deps.provider.authorizationUrl({
      state: transaction.state,
      nonce: transaction.nonce,
      codeChallenge: TransactionSealer.challenge(transaction.codeVerifier),
    });
    return { authorization_url: authorizationUrl, transaction: await deps.sealer.seal(transaction) };
  };
}

/**
 * The callback: the state must be the sealed one (CSRF), the code is redeemed with the sealed PKCE
 * verifier, the id_token must carry the sealed nonce. The account is the one linked to (issuer,
 * subject), or a new one on the first sign-in when the provider vouches for the email.
 */
export function oidcFinishHandler(deps: OidcDeps): LoggedHandler<'accountOidcFinish'> {
  return async ({ transaction: sealed, state, code }, _context, log) => {
    const transaction = await deps.sealer.open(sealed);
    if (state !== transaction.state) {
      deps.metrics.accountEvents.inc({ event: 'oidc_refused' });
      throw new AppError('E4017', 'the state does not match this sign-in');
    }
    const identity = await deps.provider.verify(await deps.provider.redeem(code, transaction.codeVerifier), transaction.nonce)
      .catch((error: unknown) => {
        deps.metrics.accountEvents.inc({ event: 'oidc_refused' });
        throw error;
      });
    let account = await deps.identities.accountOf(identity);
    if (!account) {
      if (!identity.email || !identity.emailVerified) throw new AppError('E4017', 'the provider did not give a verified email');
      const created = await deps.identities.createLinked({ ...identity, email: identity.email }, identity.name ?? identity.email.split('@')[0]!);
      if (created) {
        deps.metrics.accountEvents.inc({ event: 'oidc_linked' });
        log.info({ accountId: created.id }, 'account created by oidc sign-in');
      }
      // the email was taken: by a concurrent first sign-in of this same user (then it is linked
      // now), or by another account, which is not taken over: its owner signs in with the password
      account = created ?? (await deps.identities.accountOf(identity));
      if (!account) throw new AppError('E4014', 'this email has an account: sign in with its password');
    }
    deps.metrics.accountEvents.inc({ event: 'oidc_signed_in' });
    log.info({ accountId: account.id }, 'signed in with oidc');
    return deps.tokens.startSession(account);
  };
}
