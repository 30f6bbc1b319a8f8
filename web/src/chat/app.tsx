import type { AccountResponse, Conversation, ServerFrameV2, SignInOptionsResponse, UploadLimitsResponse } from '@chatbot/proto';
import { useEffect, useRef, useState } from 'preact/hooks';
import { download, upload, uploadLimits } from '../lib/attachments.api';
import { signInOptions } from '../lib/auth.api';
import { AuthSession } from '../lib/auth.session';
import { ChatSocket, type Status } from '../lib/chat.socket';
import { historyPage } from '../lib/conversations.api';
import { sendFeedback } from '../lib/feedback.api';
import { loadLang, saveLang, words } from '../lib/i18n';
import { newMessageId } from '../lib/message-id';
import { PageHeader } from '../lib/page-header';
import { appendHistory, prependHistory, turnsFromHistory } from '../lib/history';
import { signInOnLoad } from '../lib/sign-in.load';
import { addUserMessage, applyFrame, conversationStatus, emptyTranscript, fromSaved, setFeedback, toSaved, type Transcript } from '../lib/transcript';
import { AccountMenu, SignInPanel } from './account-menu';
import { Composer, type SentAttachment } from './composer';
import type { StartUpload } from './attachment-picker';
import { ConversationList } from './conversation-list';
import { TurnList } from './turn-list';

// Per tab: a reload continues the conversation, a second tab starts its own (one socket per session).
const TRANSCRIPT_KEY = 'chat.transcript';
const CONNECTION_KEY = 'chat.connection';
/** Whose conversation the tab holds: signing in or out starts another one. */
const IDENTITY_KEY = 'chat.identity';
/**
 * An opened conversation joins at its latest frame: a `last_seq` past any the session has is
 * answered with `resync` and the session's last seq (docs/protocol.md), and the page reads the
 * newest history page again for whatever was committed between its first read and the join.
 */
const JOIN_AT_LATEST = 999_999_999_999_999;
const wsUrl = (query: string) => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/chat/ws${query}`;

/** The chat page: anonymous or signed in, over protocol v2. */
export function App() {
  const [lang, setLang] = useState(loadLang);
  const [status, setStatus] = useState<Status>('connecting');
  const [transcript, setTranscript] = useState<Transcript>(() => fromSaved(sessionStorage.getItem(TRANSCRIPT_KEY)));
  const [account, setAccount] = useState<AccountResponse | null>(null);
  const [ready, setReady] = useState(false);
  const [options, setOptions] = useState<SignInOptionsResponse>({ accounts: false, oidc: false });
  const [limits, setLimits] = useState<UploadLimitsResponse | null>(null);
  const [panel, setPanel] = useState<{ open: boolean; error?: string }>({ open: false });
  const [conversation, setConversation] = useState(0);
  const [listOpen, setListOpen] = useState(false);
  const [sessionId, setSessionId] = useState<string>();
  /** The opened conversation's history paging: how many stored entries are shown, and whether older ones exist. */
  const [older, setOlder] = useState<{ sessionId: string; shown: number } | null>(null);
  /** The page shows a stored conversation: a resync is answered by reading its newest page again. */
  const openedFromHistory = useRef(false);
  const auth = useRef<AuthSession | null>(null);
  auth.current ??= new AuthSession({ store: sessionStorage, onChange: setAccount });
  const socket = useRef<ChatSocket | null>(null);
  const w = words[lang];

  useEffect(() => {
    void signInOptions().then((answer) => answer.ok && setOptions(answer.body));
    void uploadLimits().then((answer) => answer.ok && setLimits(answer.body));
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
      onFrame: (frame) => receive(frame),
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
    openedFromHistory.current = false;
    sessionStorage.removeItem(CONNECTION_KEY);
    sessionStorage.setItem(IDENTITY_KEY, identity);
    setTranscript(fromSaved(null));
    setOlder(null);
  };
  const receive = (frame: ServerFrameV2) => {
    if (frame.type === 'session') setSessionId(frame.session_id);
    if (frame.type === 'resync' && openedFromHistory.current) return void catchUp();
    setTranscript((t) => applyFrame(t, frame));
  };
  const catchUp = async () => {
    const id = socket.current?.sessionId;
    const page = id ? await historyPage(auth.current!, id, 0) : null;
    if (page?.ok) setTranscript((t) => appendHistory(t, turnsFromHistory(page.body.messages)));
  };
  const ask = (text: string, attachments: SentAttachment[] = []) => {
    const id = newMessageId();
    setTranscript((t) => addUserMessage(t, id, text, attachments));
    socket.current?.send(id, text, attachments.map((a) => a.id));
  };
  /** Uploads go to the conversation the socket holds, as the signed-in person. */
  const startUpload: StartUpload | undefined = account && sessionId
    ? (file, progress) => upload(auth.current!.currentToken() ?? '', sessionId, file, progress)
    : undefined;
  const fetchAttachment = (id: string, name: string) =>
    void download(auth.current!, id, name).then((ok) => ok || setTranscript((t) => ({ ...t, turns: [...t.turns, { role: 'notice', id: `download-${id}-${Date.now()}`, code: 'download', text: w.downloadFailed }] })));
  const rate = async (id: string, helpful: boolean | null, before: boolean | null | undefined) => {
    setTranscript((t) => setFeedback(t, id, helpful));
    if (!(await sendFeedback({ message_id: id, is_helpful: helpful }, account ? auth.current : null))) setTranscript((t) => setFeedback(t, id, before, true));
  };
  const newConversation = () => {
    socket.current?.stop();
    startOver(account?.id ?? 'anonymous');
    setConversation((n) => n + 1);
  };
  /** Shows the newest page of a stored conversation, then joins it (the socket replays what the page missed). */
  const open = async (chosen: Conversation) => {
    const page = await historyPage(auth.current!, chosen.session_id, 0);
    if (!page.ok) return;
    socket.current?.stop();
    sessionStorage.setItem(CONNECTION_KEY, JSON.stringify({ sessionId: chosen.session_id, lastSeq: JOIN_AT_LATEST, unacked: [] }));
    openedFromHistory.current = true;
    setTranscript({ ...emptyTranscript(), turns: turnsFromHistory(page.body.messages) });
    setOlder(page.body.has_more ? { sessionId: chosen.session_id, shown: page.body.messages.length } : null);
    setListOpen(false);
    setConversation((n) => n + 1);
  };
  const loadOlder = async () => {
    if (!older) return;
    const page = await historyPage(auth.current!, older.sessionId, older.shown);
    if (!page.ok) return;
    setTranscript((t) => prependHistory(t, turnsFromHistory(page.body.messages)));
    setOlder(page.body.has_more ? { ...older, shown: older.shown + page.body.messages.length } : null);
  };

  return (
    <div class="page">
      <PageHeader lang={lang} onLang={setLang} current="chat">
        {account && (
          <button type="button" class="quiet" aria-expanded={listOpen} aria-controls="conversations-panel" onClick={() => setListOpen(!listOpen)}>
            {w.conversations}
          </button>
        )}
        <AccountMenu lang={lang} account={account} panelOpen={panel.open}
          onToggle={() => setPanel({ open: !panel.open })} onSignOut={() => void auth.current!.signOut()} />
        <button type="button" class="quiet" onClick={newConversation}>{w.newChat}</button>
      </PageHeader>
      {panel.open && !account && (
        <SignInPanel lang={lang} options={options} error={panel.error && w.oidcFailed} onClose={() => setPanel({ open: false })}
          onTokens={async (tokens) => (await auth.current!.signIn(tokens)) && setPanel({ open: false })} />
      )}
      {listOpen && account && (
        <ConversationList lang={lang} auth={auth.current!} currentId={sessionId} onOpen={(c) => void open(c)} onClose={() => setListOpen(false)}
          onDeleted={(id) => id === sessionId && newConversation()} />
      )}
      <ConnectionBanner status={status} lang={lang} />
      <main class="chat">
        <TurnList turns={transcript.turns} lang={lang} onAsk={ask} onRate={rate} onDownload={fetchAttachment} onOlder={older?.sessionId === sessionId ? () => void loadOlder() : undefined} />
        <div class="handoff-bar">
          <button type="button" class="quiet" onClick={() => socket.current?.handoff()}
            disabled={status !== 'online' || ['waiting', 'agent'].includes(conversationStatus(transcript))}>
            {w.handoff}
          </button>
        </div>
        <Composer lang={lang} onSend={ask} limits={limits} upload={startUpload} />
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
