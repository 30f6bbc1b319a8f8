import { loadJose, type Jose } from '@chatbot/auth';
import { DisplayName, Email } from '@chatbot/proto';
import { AppError, type Logger } from '@chatbot/runtime';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUrl: string;
  scopes: string;
  /** Clock skew accepted on the id_token's exp/iat. */
  clockToleranceSeconds: number;
}

/** What persona needs from a verified id_token. */
export interface VerifiedIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  id_token_signing_alg_values_supported?: string[];
}

const PROVIDER_TIMEOUT_MS = 5_000;

/**
 * The configured OpenID provider, spoken to with fetch and verified with jose: discovery (cached
 * once it succeeds), the authorization URL, the code redemption and the id_token check.
 */
export class OidcProvider {
  private discovery?: Promise<{ doc: Discovery; jwks: ReturnType<Jose['createRemoteJWKSet']> }>;

  constructor(private readonly settings: OidcSettings, private readonly log: Logger) {}

  async authorizationUrl(params: { state: string; nonce: string; codeChallenge: string }): Promise<string> {
    const { doc } = await this.discover();
    const url = new URL(doc.authorization_endpoint);
    // set one by one: an authorization endpoint may carry query parameters of its own
    for (const [name, value] of Object.entries({
      response_type: 'code',
      client_id: this.settings.clientId,
      redirect_uri: this.settings.redirectUrl,
      scope: this.settings.scopes,
      state: params.state,
      nonce: params.nonce,
      code_challenge: params.codeChallenge,
      code_challenge_method: 'S256',
    })) url.searchParams.set(name, value);
    return url.toString();
  }

  /** The code for an id_token at the token endpoint (client_secret_basic); E4017 when refused. */
  async redeem(code: string, codeVerifier: string): Promise<string> {
    const { doc } = await this.discover();
    const basic = Buffer.from(`${encodeURIComponent(this.settings.clientId)}:${encodeURIComponent(this.settings.clientSecret)}`).toString('base64');
    const res = await fetch(doc.token_endpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: this.settings.redirectUrl, code_verifier: codeVerifier }),
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    }).catch((error: unknown) => {
      this.log.warn({ err: error }, 'oidc token endpoint unreachable');
      throw new AppError('E5008', 'the identity provider cannot be reached');
    });
    const body = (await res.json().catch(() => ({}))) as { id_token?: unknown; error?: unknown };
    if (!res.ok || typeof body.id_token !== 'string') {
      // the provider's error code only (invalid_grant for a replayed code), never the code itself
      this.log.info({ status: res.status, providerError: typeof body.error === 'string' ? body.error : undefined }, 'oidc code refused');
      throw new AppError('E4017', 'the provider refused the code');
    }
    return body.id_token;
  }

  /** Signature by the provider's JWKS, iss, aud (our client id), exp and the nonce of this sign-in. */
  async verify(idToken: string, nonce: string): Promise<VerifiedIdentity> {
    const jose = await loadJose();
    const { doc, jwks } = await this.discover();
    const { payload } = await jose.jwtVerify(idToken, jwks, {
      issuer: doc.issuer,
      audience: this.settings.clientId,
      algorithms: signingAlgorithms(doc),
      requiredClaims: ['sub', 'exp', 'iat', 'nonce'],
      clockTolerance: this.settings.clockToleranceSeconds,
    }).catch((error: unknown) => {
      const reason = (error as { code?: string }).code ?? 'invalid';
      this.log.info({ reason }, 'oidc id_token refused');
      // the provider's keys could not be fetched: its fault, not the token's
      if (reason === 'ERR_JWKS_TIMEOUT' || reason === 'ERR_JWKS_INVALID') throw new AppError('E5008', 'the provider keys cannot be read');
      throw new AppError('E4017', 'the id_token did not verify');
    });
    if (payload.nonce !== nonce) throw new AppError('E4017', 'the id_token is not for this sign-in');
    const email = Email.safeParse(payload.email);
    const name = DisplayName.safeParse(typeof payload.name === 'string' ? payload.name.slice(0, 100) : undefined);
    return {
      issuer: doc.issuer,
      subject: payload.sub!,
      // an address our contracts would not accept is as good as none
      email: email.success ? email.data : null,
      emailVerified: email.success && payload.email_verified === true,
      name: name.success ? name.data : null,
    };
  }

  /** The provider metadata; a failed attempt is forgotten so the next sign-in tries again. */
  private discover() {
    this.discovery ??= this.fetchDiscovery().catch((error: unknown) => {
      this.discovery = undefined;
      this.log.warn({ err: error }, 'oidc discovery failed');
      throw new AppError('E5008', 'the identity provider cannot be reached');
    });
    return this.discovery;
  }

  private async fetchDiscovery() {
    const url = `${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const res = await fetch(url, { signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`discovery answered ${res.status}`);
    const doc = (await res.json()) as Discovery;
    // OpenID Connect Discovery §4.3: the document must name the issuer we asked
    if (doc.issuer !== this.settings.issuer) throw new Error(`discovery names issuer ${doc.issuer}`);
    const jose = await loadJose();
    return { doc, jwks: jose.createRemoteJWKSet(new URL(doc.jwks_uri)) };
  }
}

/**
 * The asymmetric algorithms the provider says it signs id_tokens with (RS256, the spec's default,
 * when it says nothing): never `none`, never an HMAC keyed with a secret we would have to share.
 */
function signingAlgorithms(doc: Discovery): string[] {
  const listed = (doc.id_token_signing_alg_values_supported ?? []).filter((alg) => alg !== 'none' && !alg.startsWith('HS'));
  return listed.length > 0 ? listed : ['RS256'];
}
