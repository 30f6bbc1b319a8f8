import { z } from 'zod';

/**
 * REST bodies of accounts (`/api/auth/*`, `/api/user/*`, `/api/admin/*`). Requests are strict:
 * an unknown field is refused (422), so a client typo such as `pasword` is not silently ignored.
 */

export const Role = z.enum(['customer', 'agent', 'admin']);
export type Role = z.infer<typeof Role>;

/** Stored and compared lower-cased, so `A@x.io` and `a@x.io` are one account. */
export const Email = z.string().trim().max(254).pipe(z.email()).transform((email) => email.toLowerCase());

/**
 * OWASP ASVS 2.1: at least 8 characters, at least 64 allowed, no composition rules. The upper bound
 * keeps a hostile body from making the hash work on megabytes.
 */
export const NewPassword = z.string().min(8, 'at least 8 characters').max(128, 'at most 128 characters');
/** A password being checked: any length the hash accepts, so an old short password still fails normally. */
export const GivenPassword = z.string().min(1).max(128);

export const DisplayName = z.string().trim().min(1).max(100);
export const PictureUrl = z.url({ protocol: /^https?$/ }).max(2048);

export const RegisterRequest = z.strictObject({ email: Email, password: NewPassword, name: DisplayName });
export type RegisterRequest = z.infer<typeof RegisterRequest>;

export const PasswordLoginRequest = z.strictObject({ email: Email, password: GivenPassword });
export type PasswordLoginRequest = z.infer<typeof PasswordLoginRequest>;

/** An opaque refresh token as issued: 43 base64url characters (32 random bytes). */
export const RefreshToken = z.string().min(16).max(128).regex(/^[A-Za-z0-9_-]+$/, 'not a refresh token');
export const RefreshRequest = z.strictObject({ refresh_token: RefreshToken });
export const LogoutRequest = z.strictObject({ refresh_token: RefreshToken });

/** The OAuth 2.0 token response (RFC 6749 §5.1). */
export const TokenResponse = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal('bearer'),
  /** Seconds until the access token expires. */
  expires_in: z.number().int().positive(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export const AccountId = z.string().uuid();

/** `GET /api/auth/me`, `GET /api/user/profile`, and every answer that shows an account. */
export const AccountResponse = z.object({
  id: AccountId,
  email: z.string(),
  name: z.string(),
  role: Role,
  picture: z.string().optional(),
  usage_count: z.number().int().nonnegative(),
  created_at: z.string(),
});
export type AccountResponse = z.infer<typeof AccountResponse>;

export const ChangePasswordRequest = z.strictObject({ current_password: GivenPassword, new_password: NewPassword });
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequest>;

/** `PUT /api/user/profile`: the fields to change; `picture: null` removes the picture. */
export const ProfileUpdateRequest = z
  .strictObject({ name: DisplayName.optional(), picture: PictureUrl.nullable().optional() })
  .refine((body) => body.name !== undefined || body.picture !== undefined, 'name or picture is required');
export type ProfileUpdateRequest = z.infer<typeof ProfileUpdateRequest>;

export const UsageResponse = z.object({ usage_count: z.number().int().nonnegative() });

/** `PUT /api/admin/accounts/{id}/role`, admins only. */
export const RoleChangeRequest = z.strictObject({ role: Role });

// ---------- API keys (admins only) ----------

export const ApiKeyScope = z.enum(['chat', 'admin', 'system_prompt']);
export type ApiKeyScope = z.infer<typeof ApiKeyScope>;

export const ApiKeyCreateRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(ApiKeyScope).min(1).max(10).transform((scopes) => [...new Set(scopes)]),
  /** Days until the key stops working; the deployment's `API_KEY_EXPIRY_DAYS` when absent. */
  expires_in_days: z.number().int().min(1).max(3650).optional(),
});
export type ApiKeyCreateRequest = z.infer<typeof ApiKeyCreateRequest>;

export const ApiKeyItem = z.object({
  id: z.string().uuid(),
  name: z.string(),
  /** The key's public start (`cbk_` + 8 characters), to recognise it in a list. */
  prefix: z.string(),
  scopes: z.array(ApiKeyScope),
  created_at: z.string(),
  expires_at: z.string(),
  revoked_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
});
export type ApiKeyItem = z.infer<typeof ApiKeyItem>;

/** The answer to a creation: the only time the secret `key` is shown. */
export const ApiKeyCreatedResponse = ApiKeyItem.extend({ key: z.string() });
export const ApiKeyListResponse = z.object({ api_keys: z.array(ApiKeyItem) });

/**
 * `GET /api/auth/options`: the ways of signing in this deployment offers, so a page shows only
 * those (`accounts`: register and password login; `oidc`: the OpenID Connect button).
 */
export const SignInOptionsResponse = z.object({ accounts: z.boolean(), oidc: z.boolean() });
export type SignInOptionsResponse = z.infer<typeof SignInOptionsResponse>;

/**
 * What the OpenID provider appends to `/api/auth/oidc/callback` (RFC 6749 §4.1.2). An `error`
 * from the provider (the user declined) answers 401 E4017 like any failed sign-in.
 */
export const OidcCallbackQuery = z.object({ code: z.string().min(1).max(2048), state: z.string().min(1).max(512) });
export type OidcCallbackQuery = z.infer<typeof OidcCallbackQuery>;
