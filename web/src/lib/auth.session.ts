import type { AccountResponse, TokenResponse } from '@chatbot/proto';
import * as api from './auth.api';
import type { KeyValueStore } from './chat.socket';

/**
 * Who is signed in on this tab, and the only code that touches tokens. The access token lives in
 * memory only; the refresh token in the tab's sessionStorage (web/README.md says why), so a reload
 * stays signed in and another tab never shares (and races) a rotating refresh token. The access
 * token is refreshed a minute before it expires, one refresh at a time: a second concurrent
 * refresh with the same token would be taken for a stolen copy and revoke the session.
 */
export interface AuthSessionOptions {
  store: KeyValueStore & { removeItem(key: string): void };
  onChange: (account: AccountResponse | null) => void;
  api?: Pick<typeof api, 'refresh' | 'logout' | 'me'>;
  now?: () => number;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

const REFRESH_KEY = 'auth.refresh';

/** When to refresh a token valid `expiresIn` seconds: a minute early (a fifth early for short ones), never sooner than 5 s. */
export function refreshDelayMs(expiresIn: number): number {
  const lifeMs = expiresIn * 1000;
  return Math.max(5_000, lifeMs - Math.min(60_000, lifeMs / 5));
}

export class AuthSession {
  account: AccountResponse | null = null;
  private access: { token: string; refreshAt: number } | null = null;
  private refreshing: Promise<boolean> | null = null;
  private timer: unknown = null;
  private readonly api: NonNullable<AuthSessionOptions['api']>;

  constructor(private readonly options: AuthSessionOptions) {
    this.api = options.api ?? api;
  }

  /** After a reload: signed in again when the tab still holds a refresh token that works. */
  async restore(): Promise<boolean> {
    return this.options.store.getItem(REFRESH_KEY) ? this.refresh() : false;
  }

  /** Tokens from a login or an OpenID sign-in: kept, and the account read. */
  async signIn(tokens: TokenResponse): Promise<boolean> {
    this.keep(tokens);
    return this.readAccount();
  }

  /** The current access token, or null when signed out (refreshed first when it is due). */
  async token(): Promise<string | null> {
    if (this.access && this.now() >= this.access.refreshAt) await this.refresh();
    return this.access?.token ?? null;
  }

  /** The access token as it is now, for a socket URL built synchronously. */
  currentToken(): string | null {
    return this.access?.token ?? null;
  }

  /** One refresh at a time; false (and signed out) when the refresh token is refused. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.rotate().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  async signOut(): Promise<void> {
    const refreshToken = this.options.store.getItem(REFRESH_KEY);
    this.forget();
    if (refreshToken) await this.api.logout(refreshToken);
  }

  private async rotate(): Promise<boolean> {
    const refreshToken = this.options.store.getItem(REFRESH_KEY);
    if (!refreshToken) return false;
    const answer = await this.api.refresh(refreshToken);
    if (!answer.ok) {
      // offline: keep the token and try again later; refused: the session is over
      if (answer.code === 'offline' || answer.status >= 500) this.schedule(10_000);
      else this.forget();
      return false;
    }
    this.keep(answer.body);
    return this.account ? true : this.readAccount();
  }

  private async readAccount(): Promise<boolean> {
    const answer = this.access ? await this.api.me(this.access.token) : null;
    if (!answer?.ok) {
      this.forget();
      return false;
    }
    this.account = answer.body;
    this.options.onChange(this.account);
    return true;
  }

  private keep(tokens: TokenResponse): void {
    this.options.store.setItem(REFRESH_KEY, tokens.refresh_token);
    const delay = refreshDelayMs(tokens.expires_in);
    this.access = { token: tokens.access_token, refreshAt: this.now() + delay };
    this.schedule(delay);
  }

  private schedule(ms: number): void {
    if (this.timer !== null) (this.options.clearTimer ?? clearTimeout)(this.timer as number);
    this.timer = (this.options.setTimer ?? setTimeout)(() => void this.refresh(), ms);
  }

  private forget(): void {
    if (this.timer !== null) (this.options.clearTimer ?? clearTimeout)(this.timer as number);
    this.timer = null;
    this.options.store.removeItem(REFRESH_KEY);
    this.access = null;
    const wasSignedIn = this.account !== null;
    this.account = null;
    if (wasSignedIn) this.options.onChange(null);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
