import type { ChatbotSettings, ChatbotSettingsHistoryResponse, ChatbotSettingsRecord } from '@chatbot/proto';
import { useEffect, useState } from 'preact/hooks';
import type { AuthSession } from '../lib/auth.session';
import { callAuthed } from '../lib/authed.api';
import type { Lang } from '../lib/i18n';
import { changedFields, lineDiff } from '../lib/settings.diff';
import { consoleWords, when, type ConsoleWords } from './words';

const EMPTY: ChatbotSettings = {
  system_prompt: '', greeting: '', model: '', temperature: 0.3, max_tokens: 1024,
  handoff: { keywords: [], categories: [] }, allow_client_system_prompt: false,
};

/** The chatbot settings (admins): edit and save a new version, read the history, compare two versions. */
export function SettingsPage({ lang, auth }: { lang: Lang; auth: AuthSession }) {
  const c = consoleWords[lang];
  const [current, setCurrent] = useState<ChatbotSettingsRecord | null>(null);
  const [history, setHistory] = useState<ChatbotSettingsRecord[]>([]);
  // kept here: a save remounts the form with the new version
  const [message, setMessage] = useState('');
  const load = async () => {
    const [now, past] = await Promise.all([
      callAuthed<ChatbotSettingsRecord>(auth, 'GET', '/api/admin/chatbot/settings'),
      callAuthed<ChatbotSettingsHistoryResponse>(auth, 'GET', '/api/admin/chatbot/settings/history?limit=50'),
    ]);
    if (now.ok) setCurrent(now.body);
    if (past.ok) setHistory(past.body.items);
  };
  useEffect(() => void load(), []);
  if (!current) return null;
  return (
    <section aria-labelledby="settings-heading">
      <h2 id="settings-heading">{c.settings}</h2>
      {current.version === 0 && <p class="muted">{c.neverSaved}</p>}
      <SettingsForm key={current.version} c={c} auth={auth} initial={current.settings ?? EMPTY} onSaved={load} onMessage={setMessage} />
      <p role="status" class="settings-message">{message}</p>
      <History lang={lang} c={c} items={history} />
    </section>
  );
}

interface FormProps {
  c: ConsoleWords;
  auth: AuthSession;
  initial: ChatbotSettings;
  onSaved: () => Promise<void>;
  onMessage: (text: string) => void;
}

function SettingsForm({ c, auth, initial, onSaved, onMessage: setMessage }: FormProps) {
  const [form, setForm] = useState(initial);
  const set = (change: Partial<ChatbotSettings>) => setForm({ ...form, ...change });
  const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);
  const save = async (event: Event) => {
    event.preventDefault();
    const answer = await callAuthed<ChatbotSettingsRecord & { detail?: unknown }>(auth, 'PUT', '/api/admin/chatbot/settings', form);
    if (answer.ok) {
      // after the form shows the saved version, so nothing typed meanwhile is replaced
      await onSaved();
      setMessage(c.saved.replace('{v}', String(answer.body.version)));
    } else setMessage(answer.status === 422 ? c.invalid.replace('{fields}', answer.code) : c.requestFailed.replace('{code}', answer.code));
  };
  return (
    <form class="fields settings-form" onSubmit={save}>
      <label>{c.systemPrompt}<textarea rows={6} required value={form.system_prompt} onInput={(e) => set({ system_prompt: e.currentTarget.value })} /></label>
      <label>{c.greeting}<textarea rows={2} required value={form.greeting} onInput={(e) => set({ greeting: e.currentTarget.value })} /></label>
      <div class="inline-form">
        <label>{c.model}<input required value={form.model} onInput={(e) => set({ model: e.currentTarget.value })} /></label>
        <label>{c.temperature}<input type="number" min={0} max={2} step="any" required value={form.temperature} onInput={(e) => set({ temperature: Number(e.currentTarget.value) })} /></label>
        <label>{c.maxTokens}<input type="number" min={1} max={32768} required value={form.max_tokens} onInput={(e) => set({ max_tokens: Number(e.currentTarget.value) })} /></label>
      </div>
      <label>{c.handoffKeywords}<textarea rows={3} value={form.handoff.keywords.join('\n')} onInput={(e) => set({ handoff: { ...form.handoff, keywords: lines(e.currentTarget.value) } })} /></label>
      <label>{c.handoffCategories}<textarea rows={2} value={form.handoff.categories.join('\n')} onInput={(e) => set({ handoff: { ...form.handoff, categories: lines(e.currentTarget.value) } })} /></label>
      <label class="check"><input type="checkbox" checked={form.allow_client_system_prompt} onChange={(e) => set({ allow_client_system_prompt: e.currentTarget.checked })} />{c.allowClientPrompt}</label>
      <button type="submit" class="primary">{c.saveSettings}</button>
    </form>
  );
}

function History({ lang, c, items }: { lang: Lang; c: ConsoleWords; items: ChatbotSettingsRecord[] }) {
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  if (items.length === 0) return null;
  const newest = items[0]!.version;
  const a = items.find((r) => r.version === (from ?? items[1]?.version ?? newest));
  const b = items.find((r) => r.version === (to ?? newest));
  const changes = changedFields(a?.settings ?? null, b?.settings ?? null);
  const pick = (label: string, value: number | undefined, onPick: (v: number) => void) => (
    <label>{label}
      <select value={value} onChange={(e) => onPick(Number(e.currentTarget.value))}>
        {items.map((r) => <option key={r.version} value={r.version}>{r.version}</option>)}
      </select>
    </label>
  );
  return (
    <section aria-labelledby="history-heading" class="settings-history">
      <h3 id="history-heading">{c.history}</h3>
      <div class="table-scroll">
        <table>
          <thead><tr><th scope="col">{c.version}</th><th scope="col">{c.created}</th><th scope="col">{c.savedBy}</th></tr></thead>
          <tbody>
            {items.map((r) => <tr key={r.version}><th scope="row">{r.version}</th><td>{when(lang, r.updated_at)}</td><td><code>{r.updated_by?.slice(0, 8)}</code></td></tr>)}
          </tbody>
        </table>
      </div>
      <h3>{c.compare}</h3>
      <div class="inline-form fields">{pick(c.compareFrom, a?.version, setFrom)}{pick(c.compareTo, b?.version, setTo)}</div>
      {changes.length === 0 ? <p class="muted">{c.noDifference}</p> : (
        <dl class="diff">
          {changes.map((change) => (
            <div key={change.field} data-field={change.field}>
              <dt>{change.field}</dt>
              <dd>
                <pre>{lineDiff(change.before, change.after).map((line, i) => (
                  <span key={i} class={`diff-${line.kind}`}>{line.kind === 'added' ? '+ ' : line.kind === 'removed' ? '- ' : '  '}{line.text}{'\n'}</span>
                ))}</pre>
              </dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
