import type { ServerFrameV2 } from '@chatbot/proto';
import { addUserMessage, applyFrame, conversationStatus, emptyTranscript, fromSaved, toSaved, type BotTurn, type Transcript } from './transcript';

const frames = (t: Transcript, ...list: Array<Record<string, unknown>>) => list.reduce((acc, f) => applyFrame(acc, f as ServerFrameV2), t);
const bot = (t: Transcript, id: string) => t.turns.find((turn) => turn.role === 'bot' && turn.id === id) as BotTurn;
const delta = (message_id: string, index: number, text: string) => ({ type: 'delta', message_id, index, text, seq: 0 });

test('an answer streams under its question and the final reply replaces it with the whole text, once', () => {
  let t = addUserMessage(emptyTranscript(), 'q1', '카드 추천해 줘');
  t = frames(t, { type: 'accepted', message_id: 'q1', seq: 0 }, { type: 'typing', message_id: 'q1', seq: 0 });
  expect(bot(t, 'q1')).toMatchObject({ typing: true, text: '', done: false });
  t = frames(t, delta('q1', 0, '편의점 '), delta('q1', 1, '할인 '));
  expect(bot(t, 'q1').text).toBe('편의점 할인 ');
  t = frames(t, { type: 'reply', message_id: 'q1', message: '편의점 할인 카드예요.', card_list: ['A카드', 'B카드'], related_questions: ['연회비는?'], login_required: false, sender: 'bot', timestamp: 't', seq: 1 });
  expect(t.turns.map((turn) => `${turn.role}:${turn.id}`)).toEqual(['user:q1', 'bot:q1']);
  expect(bot(t, 'q1')).toMatchObject({ text: '편의점 할인 카드예요.', done: true, typing: false, cards: ['A카드', 'B카드'], related: ['연회비는?'] });
  expect(t.turns[0]).toMatchObject({ state: 'stored' });
  // Deltas arriving late (a slow path) never change a finished answer.
  t = frames(t, delta('q1', 2, 'late'));
  expect(bot(t, 'q1').text).toBe('편의점 할인 카드예요.');
});

test('deltas after a gap (a dropped socket) are not shown out of order; the reply fills the whole answer', () => {
  let t = addUserMessage(emptyTranscript(), 'q1', 'question');
  t = frames(t, delta('q1', 0, 'one '), delta('q1', 3, 'four '));
  expect(bot(t, 'q1').text).toBe('one ');
  t = frames(t, { type: 'reply', message_id: 'q1', message: 'one two three four', login_required: false, sender: 'bot', timestamp: 't', seq: 1 });
  expect(bot(t, 'q1').text).toBe('one two three four');
});

test('an answer to an earlier question is placed under it, before a question asked meanwhile', () => {
  let t = addUserMessage(addUserMessage(emptyTranscript(), 'q1', 'first'), 'q2', 'second');
  t = frames(t, { type: 'typing', message_id: 'q1', seq: 0 });
  expect(t.turns.map((turn) => `${turn.role}:${turn.id}`)).toEqual(['user:q1', 'bot:q1', 'user:q2']);
});

test('errors: a refused message is marked failed, a late or untaken one only carries a notice', () => {
  let t = addUserMessage(addUserMessage(emptyTranscript(), 'bad', 'x'), 'late', 'y');
  t = frames(t, { type: 'error', code: 'E4003', error: 'too long', message_id: 'bad', seq: 0 }, { type: 'accepted', message_id: 'late', seq: 0 });
  t = frames(t, { type: 'error', code: 'E5001', error: 'late', message_id: 'late', seq: 0 }, { type: 'resync', reason: 'frames_expired', seq: 4 });
  expect(t.turns[0]).toMatchObject({ state: 'failed', notice: 'E4003' });
  expect(t.turns[1]).toMatchObject({ state: 'accepted', notice: 'E5001' });
  expect(t.turns[2]).toMatchObject({ role: 'notice', code: 'resync:frames_expired' });
});

test('the saved transcript comes back after a reload; damaged storage starts empty', () => {
  const t = frames(addUserMessage(emptyTranscript(), 'q1', 'hi'), delta('q1', 0, 'he'));
  expect(fromSaved(toSaved(t)).turns).toEqual(t.turns);
  expect(fromSaved('{not json').turns).toEqual([]);
});

test('a handoff: the message handed to an agent is marked, status changes show once as notices, an agent message shows as the agent', () => {
  let t = addUserMessage(emptyTranscript(), 'm1', '사람과 이야기하고 싶어요');
  const status = { type: 'status', status: 'waiting', message_id: 's1', message: '곧 상담원이 답변합니다', timestamp: 't', seq: 1 } as const;
  t = applyFrame(t, status);
  t = applyFrame(t, status);
  t = applyFrame(t, { type: 'handed', message_id: 'm1', status: 'waiting', seq: 1 });
  t = applyFrame(t, { type: 'agent', message_id: 'a1', message: '안녕하세요, 상담원입니다', timestamp: 't', seq: 2 });
  expect(t.turns).toEqual([
    { role: 'user', id: 'm1', text: '사람과 이야기하고 싶어요', state: 'sending', notice: 'handed' },
    { role: 'notice', id: 's1', code: 'status:waiting', text: '곧 상담원이 답변합니다' },
    { role: 'bot', id: 'a1', text: '안녕하세요, 상담원입니다', done: true, typing: false, cards: [], related: [], agent: true },
  ]);
  expect(conversationStatus(t)).toBe('waiting');
});
