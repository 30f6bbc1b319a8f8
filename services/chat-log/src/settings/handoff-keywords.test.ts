import { createLogger } from '@chatbot/runtime';
import type { ChatbotSettingsRecord } from '@chatbot/proto';
import { HandoffKeywords } from './handoff-keywords';

const record = (version: number, keywords: string[]): string => {
  const saved: ChatbotSettingsRecord = {
    version,
    settings: {
      system_prompt: '상담 도우미입니다.', greeting: '안녕하세요', model: 'm', temperature: 0.2, max_tokens: 100,
      handoff: { keywords, categories: [] }, allow_client_system_prompt: false,
    },
    updated_by: '6f1c8f0e-3c55-4a4e-9a57-2d5e3f0c9b11',
    updated_at: new Date().toISOString(),
  };
  return JSON.stringify(saved);
};
const keywords = () => new HandoffKeywords(['상담원'], createLogger('handoff-keywords-test', 'silent'));

describe('HandoffKeywords', () => {
  it('uses HANDOFF_KEYWORDS until settings are saved', () => {
    expect(keywords().current()).toEqual(['상담원']);
    expect(keywords().version()).toBe(0);
  });

  it('replaces them with the saved keywords, lower-cased, and brings them back when the entry is deleted', () => {
    const k = keywords();
    k.apply({ entry: { value: record(2, ['Refund Please', '환불']), revision: 5 }, revision: 5 });
    expect(k.current()).toEqual(['refund please', '환불']);
    expect(k.version()).toBe(2);
    k.apply({ entry: { value: record(3, []), revision: 6 }, revision: 6 });
    expect(k.current()).toEqual([]);
    k.apply({ entry: null, revision: 7 });
    expect(k.current()).toEqual(['상담원']);
  });

  it('keeps the keywords in force when an entry does not parse', () => {
    const k = keywords();
    k.apply({ entry: { value: record(1, ['환불']), revision: 1 }, revision: 1 });
    k.apply({ entry: { value: '{"version": 2}', revision: 2 }, revision: 2 });
    k.apply({ entry: { value: 'not json', revision: 3 }, revision: 3 });
    expect(k.current()).toEqual(['환불']);
  });
});
