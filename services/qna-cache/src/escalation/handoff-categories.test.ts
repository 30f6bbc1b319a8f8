import { createLogger } from '@chatbot/runtime';
import type { ChatbotSettingsRecord } from '@chatbot/proto';
import { HandoffCategories } from './handoff-categories';

const record = (categories: string[]): string => {
  const saved: ChatbotSettingsRecord = {
    version: 1,
    settings: {
      system_prompt: '상담 도우미입니다.', greeting: '안녕하세요', model: 'm', temperature: 0.2, max_tokens: 100,
      handoff: { keywords: [], categories }, allow_client_system_prompt: false,
    },
    updated_by: '6f1c8f0e-3c55-4a4e-9a57-2d5e3f0c9b11',
    updated_at: new Date().toISOString(),
  };
  return JSON.stringify(saved);
};
const categories = () => new HandoffCategories(createLogger('handoff-categories-test', 'silent'));

describe('HandoffCategories', () => {
  it('escalates nothing before settings are saved', () => {
    expect(categories().escalates('분실/도난')).toBe(false);
  });

  it('matches a listed category whole or one of its parts, case-insensitively', () => {
    const c = categories();
    c.apply({ entry: { value: record(['도난', 'Refund']), revision: 1 }, revision: 1 });
    expect(c.escalates('분실/도난')).toBe(true);
    expect(c.escalates('refund')).toBe(true);
    expect(c.escalates('발급')).toBe(false);
  });

  it('keeps the categories on an invalid entry and drops them when the entry is deleted', () => {
    const c = categories();
    c.apply({ entry: { value: record(['한도']), revision: 1 }, revision: 1 });
    c.apply({ entry: { value: 'not json', revision: 2 }, revision: 2 });
    expect(c.escalates('한도')).toBe(true);
    c.apply({ entry: null, revision: 3 });
    expect(c.escalates('한도')).toBe(false);
  });
});
