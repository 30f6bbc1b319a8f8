import { useEffect, useRef, useState } from 'preact/hooks';
import { ChatSocket, type Status } from '../lib/chat.socket';
import { sendFeedback } from '../lib/feedback.api';
import { loadLang, saveLang, words } from '../lib/i18n';
import { newMessageId } from '../lib/message-id';
import { PageHeader } from '../lib/page-header';
import { addUserMessage, applyFrame, fromSaved, setFeedback, toSaved, type Transcript } from '../lib/transcript';
import { Composer } from './composer';
import { TurnList } from './turn-list';

// Per tab: a reload continues the conversation, a second tab starts its own (one socket per session).
const TRANSCRIPT_KEY = 'chat.transcript';
const wsUrl = (query: string) => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/chat/ws${query}`;

/** The chat page: an anonymous conversation over protocol v2. */
export function App() {
  const [lang, setLang] = useState(loadLang);
  const [status, setStatus] = useState<Status>('connecting');
  const [transcript, setTranscript] = useState<Transcript>(() => fromSaved(sessionStorage.getItem(TRANSCRIPT_KEY)));
  const socket = useRef<ChatSocket | null>(null);
  const w = words[lang];

  useEffect(() => {
    const chat = new ChatSocket({
      url: wsUrl,
      open: (url) => new WebSocket(url),
      store: sessionStorage,
      onFrame: (frame) => setTranscript((t) => applyFrame(t, frame)),
      onStatus: setStatus,
    });
    socket.current = chat;
    chat.connect();
  }, []);
  useEffect(() => sessionStorage.setItem(TRANSCRIPT_KEY, toSaved(transcript)), [transcript]);
  useEffect(() => saveLang(lang), [lang]);

  const ask = (text: string) => {
    const id = newMessageId();
    setTranscript((t) => addUserMessage(t, id, text));
    socket.current?.send(id, text);
  };
  const rate = async (id: string, helpful: boolean | null, before: boolean | null | undefined) => {
    setTranscript((t) => setFeedback(t, id, helpful));
    if (!(await sendFeedback({ message_id: id, is_helpful: helpful }))) setTranscript((t) => setFeedback(t, id, before, true));
  };
  const restart = () => {
    sessionStorage.clear();
    location.reload();
  };

  return (
    <div class="page">
      <PageHeader lang={lang} onLang={setLang} current="chat">
        {/* Sign-in and registration join here once the accounts API is in proto. */}
        <button type="button" class="quiet" onClick={restart}>{w.newChat}</button>
      </PageHeader>
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
