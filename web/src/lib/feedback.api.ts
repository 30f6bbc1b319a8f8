import type { FeedbackRequest } from '@chatbot/proto';

/** `POST /api/chat/feedback` (the seed protocol's endpoint): true when the server kept it. */
export async function sendFeedback(body: FeedbackRequest): Promise<boolean> {
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
