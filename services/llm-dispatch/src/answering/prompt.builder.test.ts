import type { HistoryTurn } from '@chatbot/proto';
import { buildMessages, DEFAULT_SYSTEM_PROMPT, MAX_HISTORY_CHARS, selectHistory } from './prompt.builder';

const turn = (role: HistoryTurn['role'], content: string, messageId: string): HistoryTurn => ({
  role,
  content,
  message_id: messageId,
  at: '2026-11-21T00:00:00.000Z',
});

const conversation: HistoryTurn[] = [
  turn('user', '리볼빙이 뭐야?', 'm1'),
  turn('assistant', '리볼빙은 …', 'm1'),
  turn('user', '수수료는?', 'm2'),
  turn('assistant', '수수료율은 …', 'm2'),
  turn('user', '카드를 잃어버렸어요', 'm3'),
  turn('user', '그리고 재발급은요?', 'm4'),
];

describe('conversation memory', () => {
  const before = conversation.slice(0, 4);

  it('keeps the history the job carries, oldest first', () => {
    expect(selectHistory(before, 10).map((t) => t.content)).toEqual(['리볼빙이 뭐야?', '리볼빙은 …', '수수료는?', '수수료율은 …']);
  });

  it('keeps at most the last N exchanges and never opens with an orphan answer', () => {
    expect(selectHistory(before, 1).map((t) => t.content)).toEqual(['수수료는?', '수수료율은 …']);
    const orphan = [turn('assistant', '환영합니다', 'push'), turn('user', '안녕', 'm1')];
    expect(selectHistory(orphan, 5).map((t) => t.content)).toEqual(['안녕']);
  });

  it('has no memory with zero turns configured', () => {
    expect(selectHistory(conversation, 0)).toEqual([]);
  });
});

describe('prompt assembly', () => {
  it('puts the system prompt, the history in order, then the question', () => {
    const messages = buildMessages({
      systemPrompt: DEFAULT_SYSTEM_PROMPT,
      history: selectHistory(conversation.slice(0, 4), 10),
      userText: '카드를 잃어버렸어요',
    });
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(messages[0]).toEqual({ role: 'system', content: DEFAULT_SYSTEM_PROMPT });
    expect(messages.at(-1)).toEqual({ role: 'user', content: '카드를 잃어버렸어요' });
  });

  it('adds the persona prompt after the system prompt', () => {
    const [system] = buildMessages({ systemPrompt: '기본', personaPrompt: '해외 활동형 고객', history: [], userText: 'q' });
    expect(system).toEqual({ role: 'system', content: '기본\n\n해외 활동형 고객' });
  });

  it('shortens long past answers', () => {
    const long = turn('assistant', '가'.repeat(MAX_HISTORY_CHARS + 500), 'm1');
    const [, remembered] = buildMessages({ systemPrompt: 's', history: [turn('user', 'q', 'm1'), long], userText: 'q2' }).slice(1);
    expect(remembered?.content).toHaveLength(MAX_HISTORY_CHARS + 1);
  });

  it('defaults to a Korean help-desk prompt that names every tool', () => {
    for (const tool of ['get_card_recommendation', 'consumption_recommend', 'get_card_description', 'query_faq_database', 'query_term_database']) {
      expect(DEFAULT_SYSTEM_PROMPT).toContain(tool);
    }
    expect(DEFAULT_SYSTEM_PROMPT).toMatch(/한국어/);
  });
});
