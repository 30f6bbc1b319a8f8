import type { ChatReplyV1 } from '@chatbot/proto';
import { answerRow, latestLoginPrompts, pushRow } from './reply-row.mapper';

const A = 'a0000000-0000-4000-8000-000000000000';
const candidate = (over: Partial<ChatReplyV1>): ChatReplyV1 => ({
  reply_id: 'r',
  session_id: A,
  kind: 'answer',
  prompt_message_id: 'p1',
  answer: { message: 'ok\u0000', login_required: false },
  source: 'llm-dispatch',
  produced_at: new Date().toISOString(),
  ...over,
});

describe('reply rows', () => {
  test('an answer takes its prompt id and turn, and loses NUL characters Postgres refuses', () => {
    const row = answerRow(candidate({ answer: { message: 'a\u0000b', login_required: false, card_list: ['x\u0000'] } }), { sessionId: A, turn: 3 });
    expect(row).toMatchObject({ prompt_message_id: 'p1', frame_message_id: 'p1', turn: 3, message: 'ab', card_list: ['x'] });
  });

  test('a push is shown under the latest login prompt, counting answers of the same batch', () => {
    const stored = new Map([[A, { promptMessageId: 'p1', turn: 1 }]]);
    const batch = [
      answerRow(candidate({ prompt_message_id: 'p3', answer: { message: 'log in', login_required: true } }), { sessionId: A, turn: 3 }),
      answerRow(candidate({ prompt_message_id: 'p4' }), { sessionId: A, turn: 4 }),
    ];
    const logins = latestLoginPrompts(stored, batch);
    const push = pushRow(candidate({ kind: 'push', prompt_message_id: null, reply_id: 'push-1' }), logins.get(A));
    expect(push).toMatchObject({ frame_message_id: 'p3', reply_id: 'push-1' });
    expect(push.prompt_message_id).toBeUndefined();
    expect(push.turn).toBeUndefined();
    expect(pushRow(candidate({ kind: 'push', prompt_message_id: null, reply_id: 'push-2' }), undefined).frame_message_id).toBe('push-2');
  });
});
