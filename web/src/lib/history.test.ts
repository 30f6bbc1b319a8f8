import type { HistoryItem } from '@chatbot/proto';
import { appendHistory, prependHistory, turnsFromHistory } from './history';
import { applyFrame, emptyTranscript } from './transcript';

const items: HistoryItem[] = [
  { message_id: 'q1', role: 'user', content: '카드 추천해 줘', created_at: 't1' },
  { message_id: 'q1', role: 'assistant', content: '이 카드들을 보세요', created_at: 't2', card_list: ['카드A'], related_questions: ['연회비는?'], feedback: true },
  { message_id: 'a1', role: 'agent', content: '상담원입니다', created_at: 't3' },
];

test('a stored conversation becomes the turns the live frames would have made, agents marked', () => {
  expect(turnsFromHistory(items)).toEqual([
    { role: 'user', id: 'q1', text: '카드 추천해 줘', state: 'stored' },
    { role: 'bot', id: 'q1', text: '이 카드들을 보세요', done: true, typing: false, cards: ['카드A'], related: ['연회비는?'], feedback: true },
    { role: 'bot', id: 'a1', text: '상담원입니다', done: true, typing: false, cards: [], related: [], feedback: undefined, agent: true },
  ]);
});

test('the newest page read again adds only what came after the page shown', () => {
  const shown = { ...emptyTranscript(), turns: turnsFromHistory(items.slice(0, 2)) };
  expect(appendHistory(shown, turnsFromHistory(items.slice(1))).turns.map((t) => `${t.role}:${t.id}`)).toEqual(['user:q1', 'bot:q1', 'bot:a1']);
});

test('a reply the socket replays after opening lands on the turn already shown', () => {
  const opened = { ...emptyTranscript(), turns: turnsFromHistory(items) };
  const replayed = applyFrame(opened, { type: 'reply', seq: 1, sender: 'bot', timestamp: 't', message_id: 'q1', message: '이 카드들을 보세요', login_required: false, card_list: ['카드A'], related_questions: ['연회비는?'] });
  expect(replayed.turns).toHaveLength(3);
});

test('an older page goes first, without the turns already shown', () => {
  const shown = { ...emptyTranscript(), turns: turnsFromHistory(items.slice(1)) };
  const older = turnsFromHistory(items.slice(0, 2));
  expect(prependHistory(shown, older).turns.map((t) => `${t.role}:${t.id}`)).toEqual(['user:q1', 'bot:q1', 'bot:a1']);
});
