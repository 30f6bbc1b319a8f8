import type { AccountResponse, PasswordLoginRequest, RegisterRequest, SignInOptionsResponse, TokenResponse } from '@chatbot/proto';

/**
 * The account endpoints as the pages call them (docs/accounts.md). Every call answers a result,
 * never throws: a refusal carries the gateway's error code, a network failure the code `offline`.
 */
export type ApiResult<T> = { ok: true; body: T } | { ok: false; status: number; code: string; retryAfter?: number; reason?: string };

export async function callApi<T>(method: string, path: string, options: { body?: unknown; token?: string } = {}): Promise<ApiResult<T>> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  try {
    const res = await fetch(path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await res.text();
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    if (res.ok) return { ok: true, body: body as T };
    const error = (body ?? {}) as { code?: string; retry_after?: number; reason?: string };
    return { ok: false, status: res.status, code: error.code ?? `HTTP${res.status}`, retryAfter: error.retry_after, reason: error.reason };
  } catch {
    return { ok: false, status: 0, code: 'offline' };
  }
}

export const signInOptions = () => callApi<SignInOptionsResponse>('GET', '/api/auth/options');
export const register = (body: RegisterRequest) => callApi<AccountResponse>('POST', '/api/auth/register', { body });
export const login = (body: PasswordLoginRequest) => callApi<TokenResponse>('POST', '/api/auth/login', { body });
export const refresh = (refreshToken: string) => callApi<TokenResponse>('POST', '/api/auth/refresh', { body: { refresh_token: refreshToken } });
export const logout = (refreshToken: string) => callApi<undefined>('POST', '/api/auth/logout', { body: { refresh_token: refreshToken } });
export const me = (token: string) => callApi<AccountResponse>('GET', '/api/auth/me', { token });

/** The second half of an OpenID sign-in: the provider sent the browser back with `code` and `state`. */
export const finishOidc = (code: string, state: string) =>
  callApi<TokenResponse>('GET', `/api/auth/oidc/callback?${new URLSearchParams({ code, state })}`);

/** Where the OpenID Connect button sends the browser (a navigation: the provider's page follows). */
export const OIDC_START = '/api/auth/oidc/login';
