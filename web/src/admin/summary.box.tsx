import type { ChatSummaryResponse } from '@chatbot/proto';
import { useEffect, useState } from 'preact/hooks';
import type { AuthSession } from '../lib/auth.session';
import { callAuthed } from '../lib/authed.api';
import type { ConsoleWords } from './words';

/** Written by a worker after the status change, so it is read again while the conversation is open. */
const POLL_MS = 4_000;

/** The conversation's latest AI summary (`GET /api/admin/chats/{id}/summary`). */
export function SummaryBox({ c, auth, sessionId }: { c: ConsoleWords; auth: AuthSession; sessionId: string }) {
  const [answer, setAnswer] = useState<ChatSummaryResponse | null>(null);
  useEffect(() => {
    const read = async () => {
      const result = await callAuthed<ChatSummaryResponse>(auth, 'GET', `/api/admin/chats/${encodeURIComponent(sessionId)}/summary`);
      if (result.ok) setAnswer(result.body);
    };
    void read();
    const timer = setInterval(() => void read(), POLL_MS);
    return () => clearInterval(timer);
  }, [sessionId]);
  const summary = answer?.summary;
  return (
    <section class="summary" aria-labelledby="summary-heading">
      <h4 id="summary-heading">{c.summary}</h4>
      {!summary ? <p class="muted">{c.noSummary}</p> : (
        <dl data-trigger={summary.trigger}>
          <dt>{c.summaryIssue}</dt><dd>{summary.issue}</dd>
          <dt>{c.summaryTried}</dt><dd>{summary.tried}</dd>
          <dt>{c.summaryOpen}</dt><dd>{summary.open}</dd>
          <dt>{c.summaryCategory}</dt><dd>{summary.category} <small class="muted">({c[`summary_${summary.source}`]})</small></dd>
        </dl>
      )}
    </section>
  );
}
