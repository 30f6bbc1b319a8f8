import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { loadLang, saveLang, words } from '../lib/i18n';
import { PageHeader } from '../lib/page-header';
import '../styles.css';

/** The agents' console: its shell only, until the accounts and queue APIs are in proto. */
function Console() {
  const [lang, setLang] = useState(loadLang);
  const w = words[lang];
  useEffect(() => saveLang(lang), [lang]);
  return (
    <div class="page">
      <PageHeader lang={lang} onLang={setLang} current="console" />
      <main class="console">
        <h2>{w.signIn}</h2>
        <p>{w.consoleSignIn}</p>
        <p class="muted">{w.consoleSoon}</p>
      </main>
    </div>
  );
}

render(<Console />, document.getElementById('app')!);
