import type { SignInOptionsResponse, TokenResponse } from '@chatbot/proto';
import { useState } from 'preact/hooks';
import { login, OIDC_START, register, type ApiResult } from './auth.api';
import { words, type Lang, type Words } from './i18n';

interface Props {
  lang: Lang;
  options: SignInOptionsResponse;
  /** Tokens of a successful login; the caller keeps them. */
  onTokens: (tokens: TokenResponse) => Promise<unknown>;
  /** The console signs in only: accounts are created on the chat page or by an admin. */
  allowRegister: boolean;
  /** A message to show before any attempt (an OpenID sign-in that failed on the way back). */
  initialError?: string;
}

/** Email and password sign-in, registration, and the OpenID Connect button when the gateway offers it. */
export function SignInForm({ lang, options, onTokens, allowRegister, initialError }: Props) {
  const w = words[lang];
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [fields, setFields] = useState({ name: '', email: '', password: '' });
  const [error, setError] = useState(initialError ?? '');
  const [busy, setBusy] = useState(false);
  if (!options.accounts) return <p class="muted">{w.authOff}</p>;

  const field = (key: keyof typeof fields) => ({
    value: fields[key],
    onInput: (e: Event) => setFields({ ...fields, [key]: (e.currentTarget as HTMLInputElement).value }),
  });
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    const message = await attempt(mode, fields, onTokens);
    setBusy(false);
    if (message) setError(describe(w, message));
  };

  return (
    <div class="sign-in">
      {allowRegister && (
        <div class="mode-switch" role="group" aria-label={w.signInTitle}>
          <button type="button" aria-pressed={mode === 'login'} onClick={() => setMode('login')}>{w.signIn}</button>
          <button type="button" aria-pressed={mode === 'register'} onClick={() => setMode('register')}>{w.register}</button>
        </div>
      )}
      <form class="fields" onSubmit={submit}>
        {mode === 'register' && (
          <label>{w.name}<input name="name" autocomplete="name" required maxLength={100} {...field('name')} /></label>
        )}
        <label>{w.email}<input name="email" type="email" autocomplete="email" required maxLength={254} {...field('email')} /></label>
        <label>
          {w.password}
          <input name="password" type="password" required minLength={mode === 'register' ? 8 : 1} maxLength={128}
            autocomplete={mode === 'register' ? 'new-password' : 'current-password'} aria-describedby={mode === 'register' ? 'password-hint' : undefined} {...field('password')} />
        </label>
        {mode === 'register' && <span id="password-hint" class="muted hint">{w.passwordHint}</span>}
        <p class="form-error" role="alert">{error}</p>
        <button type="submit" class="primary" disabled={busy}>{mode === 'register' ? w.register : w.signIn}</button>
      </form>
      {options.oidc && (
        <p class="oidc">
          <span class="muted">{w.or}</span> <a class="button" href={OIDC_START}>{w.oidc}</a>
        </p>
      )}
    </div>
  );
}

/** Registers first when asked to, then logs in with the same email and password; the refusal's code, or null. */
async function attempt(
  mode: 'login' | 'register',
  fields: { name: string; email: string; password: string },
  onTokens: Props['onTokens'],
): Promise<ApiResult<never> | null> {
  if (mode === 'register') {
    const created = await register({ name: fields.name.trim(), email: fields.email.trim(), password: fields.password });
    if (!created.ok) return created;
  }
  const signedIn = await login({ email: fields.email.trim(), password: fields.password });
  if (!signedIn.ok) return signedIn;
  await onTokens(signedIn.body);
  return null;
}

function describe(w: Words, refusal: ApiResult<never>): string {
  if (refusal.ok) return '';
  if (refusal.code === 'E4004') return w.authE4004.replace('{s}', String(refusal.retryAfter ?? 60));
  if (refusal.code === 'E4011') return w.authE4011;
  if (refusal.code === 'E4014') return w.authE4014;
  if (refusal.status === 422) return w.authInvalid;
  if (refusal.code === 'E5007') return w.authOff;
  if (refusal.code === 'offline') return w.authOffline;
  return w.authFailed;
}
