import type { FeedbackRequest } from '@chatbot/proto';
import type { AuthSession } from './auth.session';
import { callAuthed } from './authed.api';

/**
 * `POST /api/chat/feedback` (the seed protocol's endpoint): true when the server kept it. Signed
 * in, it goes with the token: an account's conversation takes feedback only from that account.
 */
export async function sendFeedback(body: FeedbackRequest, auth: AuthSession | null): Promise<boolean> {
  if (auth) return (await callAuthed(auth, 'POST', '/api/chat/feedback', body)).ok;
  try {
    const res = await fetch('/api/chat/feedback', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return res.ok;
  } catch {
    return false;
  }
}
