import type { ComponentChildren } from 'preact';
import { words, type Lang } from './i18n';

interface Props {
  lang: Lang;
  onLang: (lang: Lang) => void;
  current: 'chat' | 'console';
  /** Extra controls at the end of the bar (the chat page's "new conversation"). */
  children?: ComponentChildren;
}

/** The bar on every page: the product name, the pages, the language switch. */
export function PageHeader({ lang, onLang, current, children }: Props) {
  const w = words[lang];
  return (
    <header class="bar">
      <h1>{current === 'chat' ? w.title : w.consoleTitle}</h1>
      <nav aria-label="pages">
        <a href="/" aria-current={current === 'chat' ? 'page' : undefined}>{w.navChat}</a>
        <a href="/admin" aria-current={current === 'console' ? 'page' : undefined}>{w.navConsole}</a>
        <a href="/docs">{w.navDocs}</a>
      </nav>
      <div class="bar-tools">
        {children}
        <label class="lang">
          <span class="visually-hidden">{w.language}</span>
          <select value={lang} onChange={(e) => onLang((e.currentTarget as HTMLSelectElement).value as Lang)}>
            <option value="ko" lang="ko">한국어</option>
            <option value="en" lang="en">English</option>
          </select>
        </label>
      </div>
    </header>
  );
}
