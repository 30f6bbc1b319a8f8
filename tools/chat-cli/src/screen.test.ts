import { Screen } from './screen';

const sid = '3f1c8a52-9c55-4a57-9d8e-1d2f3a4b5c6d';
const reply = (message_id: string, message: string, seq: number, extra = {}) =>
  ({ kind: 'frame', frame: { type: 'reply', sender: 'bot', timestamp: 't', message_id, message, login_required: false, seq, ...extra } }) as const;
const delta = (message_id: string, index: number, text: string) => ({ kind: 'frame', frame: { type: 'delta', message_id, index, text, seq: 0 } }) as const;

test('deltas are written as they come after bot>, and the matching reply only ends the line', () => {
  const screen = new Screen();
  expect(screen.render({ kind: 'frame', frame: { type: 'session', session_id: sid, protocol: 2, resumed: false, seq: 0 } })).toContain(`session ${sid}`);
  expect(screen.render(delta('m1', 0, 'Hel'))).toBe('bot> Hel');
  expect(screen.render(delta('m1', 1, 'lo'))).toBe('lo');
  expect(screen.render(reply('m1', 'Hello', 1))).toBe('\n');
});

test('a reply without deltas (a cached answer) is written whole, with its cards and related questions', () => {
  const text = new Screen().render(reply('m2', '카드 분실', 2, { card_list: ['A카드'], related_questions: ['재발급은?'] }));
  expect(text).toBe('bot> 카드 분실\n     cards: A카드\n     related: 재발급은?\n');
});

test('a reply that differs from what was streamed is written again in full; errors and drops close an open line', () => {
  const screen = new Screen();
  screen.render(delta('m3', 0, 'partial'));
  expect(screen.render({ kind: 'disconnected', code: 1006, retryInMs: 500, wasOpen: true })).toBe(
    '\n! connection lost (1006); retrying in 0.5 s… (Ctrl-C gives up)\n',
  );
  expect(screen.render(reply('m3', 'the whole answer', 3))).toBe('\nbot> the whole answer\n');
  expect(screen.render({ kind: 'frame', frame: { type: 'error', error: 'assistant unavailable', code: 'E5001', seq: 3 } })).toBe('! assistant unavailable (E5001)\n');
});

test('a gateway that cannot be reached is named as such, with the reason', () => {
  const text = new Screen().render({ kind: 'disconnected', code: 1006, retryInMs: 250, wasOpen: false, reason: 'connect ECONNREFUSED 127.0.0.1:8080' });
  expect(text).toBe('! cannot reach the gateway (connect ECONNREFUSED 127.0.0.1:8080); retrying in 0.3 s… (Ctrl-C gives up)\n');
});
