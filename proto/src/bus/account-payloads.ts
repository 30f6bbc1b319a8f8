import { z } from 'zod';
import {
  AccountId,
  ApiKeyItem,
  ApiKeyScope,
  DisplayName,
  Email,
  GivenPassword,
  NewPassword,
  PictureUrl,
  RefreshToken,
  Role,
  TokenResponse,
} from '../rest/accounts';

/**
 * Requests to persona's account operations. The gateway has already checked the caller's access
 * token; `account_id` / `actor_id` is the verified `sub`, never a value the client chose.
 */

/** The client address as the gateway sees it, for login throttling per address. */
const Address = z.string().min(1).max(64);

export const AccountRegisterCommand = z.object({ email: Email, password: NewPassword, name: DisplayName });
export const AccountLoginCommand = z.object({ email: Email, password: GivenPassword, address: Address });
/**
 * A login or password change answers tokens, or how long the account or address must wait (E4004
 * with Retry-After): the bus error envelope has no room for the wait.
 */
export const SignInResult = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('tokens'), tokens: TokenResponse }),
  z.object({ outcome: z.literal('throttled'), retry_after_seconds: z.number().int().positive() }),
]);
export type SignInResult = z.infer<typeof SignInResult>;

export const AccountRefreshCommand = z.object({ refresh_token: RefreshToken });
export const AccountLogoutCommand = z.object({ refresh_token: RefreshToken });
export const AccountLogoutResult = z.object({ revoked: z.boolean() });

export const AccountQuery = z.object({ account_id: AccountId });
export const AccountPasswordCommand = z.object({
  account_id: AccountId,
  current_password: GivenPassword,
  new_password: NewPassword,
  address: Address,
});
export const AccountProfileCommand = z.object({
  account_id: AccountId,
  name: DisplayName.optional(),
  picture: PictureUrl.nullable().optional(),
});
export const AccountUsageResult = z.object({ usage_count: z.number().int().nonnegative() });
export const AccountRoleCommand = z.object({ actor_id: AccountId, account_id: AccountId, role: Role });

export const ApiKeyCreateCommand = z.object({
  actor_id: AccountId,
  name: z.string().min(1).max(100),
  scopes: z.array(ApiKeyScope).min(1).max(10),
  expires_in_days: z.number().int().min(1).max(3650).optional(),
});
export const ApiKeyListQuery = z.object({ actor_id: AccountId });
export const ApiKeyListResult = z.object({ api_keys: z.array(ApiKeyItem) });
export const ApiKeyRevokeCommand = z.object({ actor_id: AccountId, key_id: z.string().uuid() });
export const ApiKeyVerifyQuery = z.object({ key: z.string().min(1).max(200) });
/** Who an API key acts for: its creator's account and role, within the key's scopes, until it expires. */
export const ApiKeyVerifyResult = z.object({
  key_id: z.string().uuid(),
  account_id: AccountId,
  role: Role,
  scopes: z.array(ApiKeyScope),
  expires_at: z.string().datetime(),
});
export type ApiKeyVerifyResult = z.infer<typeof ApiKeyVerifyResult>;


/**
 * OpenID Connect sign-in. `transaction` is persona's sealed (encrypted, authenticated, ten-minute)
 * record of the state, nonce and PKCE verifier: the gateway keeps it in an HttpOnly cookie and
 * hands it back unread, so no server-side store is needed and none can be filled by strangers.
 */
const SealedTransaction = z.string().min(1).max(4096);
export const OidcStartResult = z.object({ authorization_url: z.url(), transaction: SealedTransaction });
export const OidcFinishCommand = z.object({
  transaction: SealedTransaction,
  state: z.string().min(1).max(512),
  code: z.string().min(1).max(2048),
});
