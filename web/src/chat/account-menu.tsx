import type { AccountResponse, SignInOptionsResponse, TokenResponse } from '@chatbot/proto';
import { useEffect, useRef } from 'preact/hooks';
import { words, type Lang } from '../lib/i18n';
import { SignInForm } from '../lib/sign-in.form';

/** The header's account control: "Sign in" (opening the panel below) or the name and "Sign out". */
export function AccountMenu(props: { lang: Lang; account: AccountResponse | null; panelOpen: boolean; onToggle: () => void; onSignOut: () => void }) {
  const w = words[props.lang];
  if (props.account) {
    return (
      <span class="account">
        <span class="who" title={props.account.email}>
          <span class="visually-hidden">{w.signedInAs} </span>{props.account.name}
        </span>
        <button type="button" class="quiet" onClick={props.onSignOut}>{w.signOut}</button>
      </span>
    );
  }
  return (
    <button type="button" class="quiet" aria-expanded={props.panelOpen} aria-controls="sign-in-panel" onClick={props.onToggle}>
      {w.signIn}
    </button>
  );
}

/** The sign-in panel under the header; focus goes to its first field when it opens. */
export function SignInPanel(props: { lang: Lang; options: SignInOptionsResponse; error?: string; onTokens: (tokens: TokenResponse) => Promise<unknown>; onClose: () => void }) {
  const w = words[props.lang];
  const panel = useRef<HTMLElement>(null);
  useEffect(() => panel.current?.querySelector<HTMLInputElement>('input')?.focus(), []);
  return (
    <section id="sign-in-panel" class="panel" aria-labelledby="sign-in-heading" ref={panel}
      onKeyDown={(e) => e.key === 'Escape' && props.onClose()}>
      <div class="panel-head">
        <h2 id="sign-in-heading">{w.signInTitle}</h2>
        <button type="button" class="quiet" onClick={props.onClose}>{w.close}</button>
      </div>
      <SignInForm lang={props.lang} options={props.options} onTokens={props.onTokens} allowRegister initialError={props.error} />
    </section>
  );
}
