import type { z } from 'zod';
import * as accounts from '../rest/accounts';

/** The helpers of the main document, so both build schemas the same way. */
export interface OpenApiHelpers {
  json(schema: z.ZodType, io?: 'input' | 'output'): Record<string, unknown>;
  error(description: string): Record<string, unknown>;
}

/** `components.securitySchemes` for the account endpoints. */
export const accountSecuritySchemes = {
  bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from /api/auth/login or /api/auth/refresh' },
  apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key an admin created; acts within its scopes' },
};

/** The account endpoints (docs/accounts.md), kept apart from the seed's paths. */
export function accountPaths({ json, error }: OpenApiHelpers): Record<string, unknown> {
  const ok = (description: string, schema: z.ZodType) => ({ description, content: json(schema) });
  const body = (schema: z.ZodType) => ({ required: true, content: json(schema, 'input') });
  const tokens = ok('tokens (Cache-Control: no-store)', accounts.TokenResponse);
  const bad = error('bad body: the zod issues in `detail`; unknown fields are refused');
  const unauthenticated = error('no, expired or invalid credentials (WWW-Authenticate says why)');
  const user = [{ bearer: [] }, { apiKey: [] }];
  const bearerOnly = [{ bearer: [] }];
  const me = { summary: 'The caller’s account', security: user, responses: { 200: ok('the account', accounts.AccountResponse), 401: unauthenticated } };
  const id = [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }];
  return {
    '/api/auth/options': { get: { summary: 'The ways of signing in this deployment offers (password accounts, an OpenID provider), for a sign-in page', responses: { 200: ok('the options', accounts.SignInOptionsResponse) } } },
    '/api/auth/register': { post: { summary: 'Create a customer account', requestBody: body(accounts.RegisterRequest), responses: { 201: ok('created', accounts.AccountResponse), 409: error('email already registered (E4014)'), 413: error('body too large'), 422: bad } } },
    '/api/auth/login': { post: { summary: 'Email and password → access and refresh token', requestBody: body(accounts.PasswordLoginRequest), responses: { 200: tokens, 401: error('invalid email or password (E4011), the same for an unknown email'), 422: bad, 429: error('too many failed logins for this account or address (E4004); Retry-After in seconds') } } },
    '/api/auth/refresh': { post: { summary: 'Rotate a refresh token (a reused one revokes its family)', requestBody: body(accounts.RefreshRequest), responses: { 200: tokens, 401: error('invalid, expired, revoked or reused refresh token (E4015)'), 422: bad } } },
    '/api/auth/logout': { post: { summary: 'Revoke the session (refresh-token family) of a refresh token', requestBody: body(accounts.LogoutRequest), responses: { 204: { description: 'logged out (also for an unknown token)' }, 422: bad } } },
    '/api/auth/me': { get: me },
    '/api/auth/oidc/login': { get: {
      summary: 'Start sign-in with the configured OpenID Connect provider (authorization code, PKCE S256, state, nonce)',
      responses: {
        302: { description: 'to the provider’s authorization endpoint; sets the sealed `oidc_tx` cookie (HttpOnly, Secure, SameSite=Lax, Path=/api/auth/oidc, 10 minutes)' },
        503: error('accounts (E5007) or provider sign-in (E5008) not configured, or the provider unreachable (E5008)'),
      },
    } },
    '/api/auth/oidc/callback': { get: {
      summary: 'Where the provider sends the browser back: redeems the code, verifies the id_token, links or creates the account',
      parameters: [
        { name: 'code', in: 'query', required: true, schema: { type: 'string' } },
        { name: 'state', in: 'query', required: true, schema: { type: 'string' } },
        { name: 'oidc_tx', in: 'cookie', required: true, schema: { type: 'string' }, description: 'set by /api/auth/oidc/login; cleared by this answer' },
      ],
      responses: {
        200: tokens,
        401: error('the sign-in failed (E4017): wrong state, missing, altered or expired cookie, code refused or replayed, id_token not valid for this client and sign-in, no verified email on a first sign-in, or an error from the provider'),
        409: error('first sign-in with the email of an existing account (E4014): it is not linked'),
        503: error('not configured or the provider unreachable (E5007, E5008)'),
      },
    } },
    '/api/auth/change-password': { post: { summary: 'Change the password; revokes every refresh token, answers a new pair', security: bearerOnly, requestBody: body(accounts.ChangePasswordRequest), responses: { 200: tokens, 401: error('wrong current password (E4011) or no valid token'), 422: bad, 429: error('too many wrong passwords (E4004)') } } },
    '/api/user/profile': {
      get: { ...me, summary: 'The caller’s profile (same as /api/auth/me)' },
      put: { summary: 'Change name and/or picture (null removes it)', security: user, requestBody: body(accounts.ProfileUpdateRequest), responses: { 200: ok('the account', accounts.AccountResponse), 401: unauthenticated, 422: bad } },
    },
    '/api/user/increment-usage': { post: { summary: 'Add one to the caller’s usage counter', security: user, responses: { 200: ok('the new count', accounts.UsageResponse), 401: unauthenticated } } },
    '/api/admin/accounts/{id}/role': { put: { summary: 'Set another account’s role (admins only)', security: user, parameters: id, requestBody: body(accounts.RoleChangeRequest), responses: { 200: ok('the account', accounts.AccountResponse), 401: unauthenticated, 403: error('not an admin, or an admin changing their own role (E4013)'), 404: error('no such account (E4016)'), 422: bad } } },
    '/api/admin/api-keys': {
      post: { summary: 'Create an API key; the secret `key` is in this answer only', security: user, requestBody: body(accounts.ApiKeyCreateRequest), responses: { 201: ok('created', accounts.ApiKeyCreatedResponse), 401: unauthenticated, 403: error('not an admin (E4013)'), 422: bad } },
      get: { summary: 'The caller’s API keys (no secrets)', security: user, responses: { 200: ok('the keys', accounts.ApiKeyListResponse), 401: unauthenticated, 403: error('not an admin (E4013)') } },
    },
    '/api/admin/api-keys/{id}': { delete: { summary: 'Revoke an API key', security: user, parameters: id, responses: { 200: ok('the revoked key', accounts.ApiKeyItem), 401: unauthenticated, 403: error('not an admin (E4013)'), 404: error('no such key (E4016)') } } },
  };
}
