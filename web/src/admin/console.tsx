import type { AccountResponse, SignInOptionsResponse } from '@chatbot/proto';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { signInOptions } from '../lib/auth.api';
import { AuthSession } from '../lib/auth.session';
import { loadLang, saveLang, words, type Lang } from '../lib/i18n';
import { PageHeader } from '../lib/page-header';
import { SignInForm } from '../lib/sign-in.form';
import { ApiKeysPage } from './api-keys.page';
import { DashboardPage } from './dashboard.page';
import { QueuesPage } from './queues.page';
import { SettingsPage } from './settings.page';
import { consoleWords } from './words';

/** A section of the console: its address (`/admin#keys`), its name and who may open it. */
interface Section {
  id: string;
  label: (lang: Lang) => string;
  roles: ReadonlyArray<AccountResponse['role']>;
  render: (props: { lang: Lang; auth: AuthSession }) => ComponentChildren;
}

const SECTIONS: Section[] = [
  { id: 'queues', label: (lang) => consoleWords[lang].queues, roles: ['agent', 'admin'], render: (props) => <QueuesPage {...props} /> },
  { id: 'settings', label: (lang) => consoleWords[lang].settings, roles: ['admin'], render: (props) => <SettingsPage {...props} /> },
  { id: 'dashboard', label: (lang) => consoleWords[lang].dashboard, roles: ['agent', 'admin'], render: (props) => <DashboardPage {...props} /> },
  { id: 'keys', label: (lang) => consoleWords[lang].apiKeys, roles: ['admin'], render: (props) => <ApiKeysPage {...props} /> },
];

/** The agents' console: sign-in (agents and admins), then its sections by role. */
export function Console() {
  const [lang, setLang] = useState(loadLang);
  const [account, setAccount] = useState<AccountResponse | null>(null);
  const [ready, setReady] = useState(false);
  const [options, setOptions] = useState<SignInOptionsResponse>({ accounts: false, oidc: false });
  const [hash, setHash] = useState(() => location.hash.slice(1));
  const auth = useRef<AuthSession | null>(null);
  auth.current ??= new AuthSession({ store: sessionStorage, onChange: setAccount });
  const w = words[lang];
  const c = consoleWords[lang];

  useEffect(() => {
    void signInOptions().then((answer) => answer.ok && setOptions(answer.body));
    void auth.current!.restore().then(() => setReady(true));
    const follow = () => setHash(location.hash.slice(1));
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  useEffect(() => saveLang(lang), [lang]);

  const allowed = SECTIONS.filter((s) => account && s.roles.includes(account.role));
  const section = allowed.find((s) => s.id === hash) ?? allowed[0];
  const signOut = () => void auth.current!.signOut();

  return (
    <div class="page wide">
      <PageHeader lang={lang} onLang={setLang} current="console">
        {account && (
          <span class="account">
            <span class="who" title={account.email}><span class="visually-hidden">{w.signedInAs} </span>{account.name}</span>
            <button type="button" class="quiet" onClick={signOut}>{w.signOut}</button>
          </span>
        )}
      </PageHeader>
      <main class="console">
        {!ready ? null : !account ? (
          <section aria-labelledby="console-sign-in">
            <h2 id="console-sign-in">{w.signIn}</h2>
            <p>{c.consoleSignIn}</p>
            {/* The provider sends the browser back to the chat page, so the console signs in by password. */}
            <SignInForm lang={lang} options={{ ...options, oidc: false }} allowRegister={false} onTokens={(tokens) => auth.current!.signIn(tokens)} />
          </section>
        ) : account.role === 'customer' ? (
          <p role="alert">{c.notAgent}</p>
        ) : (
          <>
            <nav class="sections" aria-label={c.sections}>
              {allowed.map((s) => (
                <a key={s.id} href={`#${s.id}`} aria-current={s === section ? 'page' : undefined}>{s.label(lang)}</a>
              ))}
            </nav>
            {section?.render({ lang, auth: auth.current! })}
          </>
        )}
      </main>
    </div>
  );
}
