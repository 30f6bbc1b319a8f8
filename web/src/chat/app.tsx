import type { AccountResponse, SignInOptionsResponse } from '@chatbot/proto';
import { useEffect, useRef, useState } from 'preact/hooks';
import { signInOptions } from '../lib/auth.api';
import { AuthSession } from '../lib/auth.session';
import { ChatSocket, type Status } from '../lib/chat.socket';
import { sendFeedback } from '../lib/feedback.api';
import { loadLang, saveLang, words } from '../lib/i18n';
import { newMessageId } from '../lib/message-id';
import { PageHeader } from '../lib/page-header';
import { signInOnLoad } from '../lib/sign-in.load';
import { addUserMessage, applyFrame, fromSaved, setFeedback, toSaved, type Transcript } from '../lib/transcript';
import { AccountMenu, SignInPanel } from './account-menu';
import { Composer } from './composer';
import { TurnList } from './turn-list';

// Per tab: a reload continues the conversation, a second tab starts its own (one socket per session).
const TRANSCRIPT_KEY = 'chat.transcript';
const CONNECTION_KEY = 'chat.connection';
/** Whose conversation the tab holds: signing in or out starts another one. */
const IDENTITY_KEY = 'chat.identity';
const wsUrl = (query: string) => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/chat/ws${query}`;

/** The chat page: anonymous or signed in, over protocol v2. */
export function App() {
  const [lang, setLang] = useState(loadLang);
  const [status, setStatus] = useState<Status>('connecting');
  const [transcript, setTranscript] = useState<Transcript>(() => fromSaved(sessionStorage.getItem(TRANSCRIPT_KEY)));
  const [account, setAccount] = useState<AccountResponse | null>(null);
  const [ready, setReady] = useState(false);
  const [options, setOptions] = useState<SignInOptionsResponse>({ accounts: false, oidc: false });
  const [panel, setPanel] = useState<{ open: boolean; error?: string }>({ open: false });
  const [conversation, setConversation] = useState(0);
  const auth = useRef<AuthSession | null>(null);
  auth.current ??= new AuthSession({ store: sessionStorage, onChange: setAccount });
  const socket = useRef<ChatSocket | null>(null);
  const w = words[lang];

  useEffect(() => {
    void signInOptions().then((answer) => answer.ok && setOptions(answer.body));
    void signInOnLoad(auth.current!).then((ok) => {
      if (!ok) setPanel({ open: true, error: 'oidcFailed' });
      setReady(true);
    });
  }, []);
  useEffect(() => {
    if (!ready) return;
    if (sessionStorage.getItem(IDENTITY_KEY) !== (account?.id ?? 'anonymous')) startOver(account?.id ?? 'anonymous');
    const session = auth.current!;
    const chat = new ChatSocket({
      url: wsUrl,
      open: (url) => new WebSocket(url),
      store: sessionStorage,
      onFrame: (frame) => setTranscript((t) => applyFrame(t, frame)),
      onStatus: setStatus,
      token: () => session.currentToken(),
      reauthorize: () => session.refresh(),
    });
    socket.current = chat;
    chat.connect();
    return () => chat.stop();
  }, [ready, account?.id, conversation]);
  useEffect(() => sessionStorage.setItem(TRANSCRIPT_KEY, toSaved(transcript)), [transcript]);
  useEffect(() => saveLang(lang), [lang]);

  const startOver = (identity: string) => {
    sessionStorage.removeItem(CONNECTION_KEY);
    sessionStorage.setItem(IDENTITY_KEY, identity);
    setTranscript(fromSaved(null));
  };
  const ask = (text: string) => {
    const id = newMessageId();
    setTranscript((t) => addUserMessage(t, id, text));
    socket.current?.send(id, text);
  };
  const rate = async (id: string, helpful: boolean | null, before: boolean | null | undefined) => {
    setTranscript((t) => setFeedback(t, id, helpful));
    if (!(await sendFeedback({ message_id: id, is_helpful: helpful }))) setTranscript((t) => setFeedback(t, id, before, true));
  };
  const newConversation = () => {
    socket.current?.stop();
    startOver(account?.id ?? 'anonymous');
    setConversation((n) => n + 1);
  };

  return (
    <div class="page">
      <PageHeader lang={lang} onLang={setLang} current="chat">
        <AccountMenu lang={lang} account={account} panelOpen={panel.open}
          onToggle={() => setPanel({ open: !panel.open })} onSignOut={() => void auth.current!.signOut()} />
        <button type="button" class="quiet" onClick={newConversation}>{w.newChat}</button>
      </PageHeader>
      {panel.open && !account && (
        <SignInPanel lang={lang} options={options} error={panel.error && w.oidcFailed} onClose={() => setPanel({ open: false })}
          onTokens={async (tokens) => (await auth.current!.signIn(tokens)) && setPanel({ open: false })} />
      )}
      <ConnectionBanner status={status} lang={lang} />
      <main class="chat">
        <TurnList turns={transcript.turns} lang={lang} onAsk={ask} onRate={rate} />
        <Composer lang={lang} onSend={ask} />
      </main>
    </div>
  );
}

function ConnectionBanner({ status, lang }: { status: Status; lang: keyof typeof words }) {
  const w = words[lang];
  const text = status === 'offline' ? w.offline : status === 'replaced' ? w.replaced : status === 'connecting' ? w.connecting : '';
  return (
    <div class={`banner${text ? '' : ' quiet-banner'}`} role="status" data-status={status}>
      {text}
    </div>
  );
}
