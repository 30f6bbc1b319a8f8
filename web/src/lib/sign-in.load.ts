import { finishOidc } from './auth.api';
import type { AuthSession } from './auth.session';

/**
 * What a page does about signing in when it loads: finish an OpenID sign-in when the provider just
 * sent the browser back here with `code` and `state` (the gateway's `oidc_tx` cookie goes along,
 * its path being /api/auth/oidc), otherwise sign in again from the tab's refresh token.
 * Answers false when an OpenID sign-in failed, so the page can say so.
 */
export async function signInOnLoad(auth: AuthSession): Promise<boolean> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const state = params.get('state');
  if (!code && !state && !params.has('error')) {
    await auth.restore();
    return true;
  }
  // the code is single-use and must not stay in the address bar or the history
  history.replaceState(null, '', location.pathname);
  if (!code || !state) return false;
  const answer = await finishOidc(code, state);
  return answer.ok && (await auth.signIn(answer.body));
}
