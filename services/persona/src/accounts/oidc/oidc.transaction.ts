import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { loadJose } from '@chatbot/auth';
import { AppError } from '@chatbot/runtime';

/** What one sign-in must remember between the redirect and the callback. */
export interface OidcTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
}

const LIFETIME_SECONDS = 600;

/**
 * Seals a sign-in's state, nonce and PKCE verifier into a JWE (dir, A256GCM) under a key derived
 * from the client secret: the browser carries it in an HttpOnly cookie but can neither read nor
 * change it, it expires after ten minutes, and persona keeps no store a stranger could fill.
 */
export class TransactionSealer {
  private readonly key: Uint8Array;

  constructor(clientSecret: string) {
    this.key = new Uint8Array(hkdfSync('sha256', clientSecret, 'chatbot-platform', 'oidc transaction v1', 32));
  }

  static fresh(): OidcTransaction {
    const random = () => randomBytes(32).toString('base64url');
    return { state: random(), nonce: random(), codeVerifier: random() };
  }

  /** RFC 7636 S256. */
  static challenge(codeVerifier: string): string {
    return createHash('sha256').update(codeVerifier).digest('base64url');
  }

  async seal(transaction: OidcTransaction): Promise<string> {
    const jose = await loadJose();
    return new jose.EncryptJWT({ ...transaction })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt()
      .setExpirationTime(`${LIFETIME_SECONDS}s`)
      .encrypt(this.key);
  }

  /** The transaction, or E4017 when it was altered, expired or sealed under another key. */
  async open(sealed: string): Promise<OidcTransaction> {
    const jose = await loadJose();
    try {
      const { payload } = await jose.jwtDecrypt(sealed, this.key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      const { state, nonce, codeVerifier } = payload;
      if (typeof state !== 'string' || typeof nonce !== 'string' || typeof codeVerifier !== 'string') throw new Error('incomplete');
      return { state, nonce, codeVerifier };
    } catch {
      throw new AppError('E4017', 'the sign-in expired or was altered; start again');
    }
  }
}
