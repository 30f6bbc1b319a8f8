import type { ApiKeyCreateRequest, ApiKeyItem } from '@chatbot/proto';
import { useEffect, useState } from 'preact/hooks';
import type { AuthSession } from '../lib/auth.session';
import { callAuthed } from '../lib/authed.api';
import type { Lang } from '../lib/i18n';
import { consoleWords, when, type ConsoleWords } from './words';

type Created = ApiKeyItem & { key: string };

/** API keys (admins): create one (its secret shown once, here), list them, revoke one after a confirmation. */
export function ApiKeysPage({ lang, auth }: { lang: Lang; auth: AuthSession }) {
  const c = consoleWords[lang];
  const [keys, setKeys] = useState<ApiKeyItem[]>([]);
  const [created, setCreated] = useState<Created | null>(null);
  const [error, setError] = useState('');
  const failed = (code: string) => setError(c.requestFailed.replace('{code}', code));
  const load = async () => {
    const answer = await callAuthed<{ api_keys: ApiKeyItem[] }>(auth, 'GET', '/api/admin/api-keys');
    if (answer.ok) setKeys(answer.body.api_keys);
    else failed(answer.code);
  };
  useEffect(() => void load(), []);

  const create = async (body: ApiKeyCreateRequest) => {
    setError('');
    const answer = await callAuthed<Created>(auth, 'POST', '/api/admin/api-keys', body);
    if (!answer.ok) return failed(answer.code);
    setCreated(answer.body);
    await load();
  };
  const revoke = async (id: string) => {
    const answer = await callAuthed<ApiKeyItem>(auth, 'DELETE', `/api/admin/api-keys/${id}`);
    if (!answer.ok) return failed(answer.code);
    await load();
  };

  return (
    <section aria-labelledby="keys-heading">
      <h2 id="keys-heading">{c.apiKeys}</h2>
      <CreateKeyForm c={c} onCreate={create} />
      {created && (
        <div class="secret" role="status">
          <h3>{c.newKeyTitle}: {created.name}</h3>
          <p>{c.newKeyOnce}</p>
          <code class="key" data-testid="new-key">{created.key}</code>
        </div>
      )}
      <p class="form-error" role="alert">{error}</p>
      <KeyTable lang={lang} c={c} keys={keys} onRevoke={revoke} />
    </section>
  );
}

function CreateKeyForm({ c, onCreate }: { c: ConsoleWords; onCreate: (body: ApiKeyCreateRequest) => Promise<void> }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Array<'chat' | 'admin'>>(['chat']);
  const [days, setDays] = useState('');
  const toggle = (scope: 'chat' | 'admin') => setScopes(scopes.includes(scope) ? scopes.filter((s) => s !== scope) : [...scopes, scope]);
  const submit = async (event: Event) => {
    event.preventDefault();
    await onCreate({ name: name.trim(), scopes, ...(days ? { expires_in_days: Number(days) } : {}) });
    setName('');
  };
  return (
    <form class="fields inline-form" onSubmit={submit}>
      <label>{c.keyName}<input name="key-name" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
      <fieldset>
        <legend>{c.keyScopes}</legend>
        {(['chat', 'admin'] as const).map((scope) => (
          <label class="check" key={scope}>
            <input type="checkbox" checked={scopes.includes(scope)} onChange={() => toggle(scope)} />
            {scope === 'chat' ? c.scopeChat : c.scopeAdmin}
          </label>
        ))}
      </fieldset>
      <label>{c.keyExpiresDays}<input name="key-days" type="number" min={1} max={3650} value={days} onInput={(e) => setDays(e.currentTarget.value)} /></label>
      <button type="submit" class="primary" disabled={!name.trim() || scopes.length === 0}>{c.createKey}</button>
    </form>
  );
}

function KeyTable({ lang, c, keys, onRevoke }: { lang: Lang; c: ConsoleWords; keys: ApiKeyItem[]; onRevoke: (id: string) => Promise<void> }) {
  const [confirming, setConfirming] = useState<string | null>(null);
  if (keys.length === 0) return <p class="muted">{c.noKeys}</p>;
  const state = (key: ApiKeyItem) => (key.revoked_at ? c.revoked : new Date(key.expires_at) < new Date() ? c.expired : c.active);
  return (
    <div class="table-scroll">
      <table class="keys">
        <thead>
          <tr><th scope="col">{c.keyName}</th><th scope="col">{c.prefix}</th><th scope="col">{c.keyScopes}</th><th scope="col">{c.expires}</th><th scope="col">{c.lastUsed}</th><th scope="col">{c.status}</th><th scope="col">{c.actions}</th></tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id} data-key-id={key.id}>
              <th scope="row">{key.name}</th>
              <td><code>{key.prefix}</code></td>
              <td>{key.scopes.join(', ')}</td>
              <td>{when(lang, key.expires_at)}</td>
              <td>{key.last_used_at ? when(lang, key.last_used_at) : c.never}</td>
              <td class="key-status">{state(key)}</td>
              <td>
                {!key.revoked_at && confirming !== key.id && (
                  <button type="button" onClick={() => setConfirming(key.id)} aria-label={`${c.revoke}: ${key.name}`}>{c.revoke}</button>
                )}
                {confirming === key.id && (
                  <span class="confirm" role="group" aria-label={c.revokeConfirm.replace('{name}', key.name)}>
                    <span>{c.revokeConfirm.replace('{name}', key.name)}</span>
                    <button type="button" class="danger" onClick={() => void onRevoke(key.id).then(() => setConfirming(null))}>{c.yesRevoke}</button>
                    <button type="button" onClick={() => setConfirming(null)}>{c.cancel}</button>
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
