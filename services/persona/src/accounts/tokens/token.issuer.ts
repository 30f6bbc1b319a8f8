import type { AccessTokenSigner } from '@chatbot/auth';
import type { Role, TokenResponse } from '@chatbot/proto';
import type { RefreshTokenStore } from './refresh-token.store';

/** The OAuth token response: a signed access token and an opaque refresh token. */
export class TokenIssuer {
  constructor(
    private readonly signer: AccessTokenSigner,
    private readonly refreshTokens: RefreshTokenStore,
  ) {}

  /** A login: a new refresh-token family. */
  async startSession(account: { id: string; role: string }): Promise<TokenResponse> {
    return this.pair(account, await this.refreshTokens.issue(account.id));
  }

  /** A refresh: the next token of the family, with the account's role as it is now. */
  async pair(account: { id: string; role: string }, refreshToken: string): Promise<TokenResponse> {
    const access_token = await this.signer.signAccessToken({ accountId: account.id, role: account.role as Role });
    return { access_token, refresh_token: refreshToken, token_type: 'bearer', expires_in: this.signer.ttlSeconds };
  }
}
