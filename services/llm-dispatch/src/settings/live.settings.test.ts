import { createLogger } from '@chatbot/runtime';
import type { ChatbotSettings } from '@chatbot/proto';
import { LiveSettings } from './live.settings';

const env = { systemPrompt: 'env prompt', model: 'env-model', maxTokens: 256 };
const settings: ChatbotSettings = {
  system_prompt: 'saved prompt',
  greeting: '안녕하세요',
  model: 'saved-model',
  temperature: 0.3,
  max_tokens: 512,
  handoff: { keywords: ['상담원'], categories: ['refund'] },
  allow_client_system_prompt: false,
};
const record = (version: number) => JSON.stringify({ version, settings, updated_by: '6f1c8f0e-3c55-4a4e-9a57-2d5e3f0c9b11', updated_at: new Date().toISOString() });
const live = () => new LiveSettings(env, createLogger('live-settings-test', 'silent'));

describe('LiveSettings', () => {
  it('answers with the environment until settings are saved', () => {
    expect(live().current()).toMatchObject({ version: 0, systemPrompt: 'env prompt', model: 'env-model', maxTokens: 256, allowClientSystemPrompt: true });
  });

  it('applies a saved record, and goes back to the environment when the entry is deleted', () => {
    const s = live();
    s.apply({ entry: { value: record(3), revision: 7 }, revision: 7 });
    expect(s.current()).toEqual({
      version: 3, systemPrompt: 'saved prompt', model: 'saved-model', temperature: 0.3, maxTokens: 512,
      handoff: { keywords: ['상담원'], categories: ['refund'] }, allowClientSystemPrompt: false,
    });
    s.apply({ entry: null, revision: 8 });
    expect(s.current().version).toBe(0);
    expect(s.current().systemPrompt).toBe('env prompt');
  });

  it('keeps the settings in force when an entry is not a valid record', () => {
    const s = live();
    s.apply({ entry: { value: record(2), revision: 1 }, revision: 1 });
    s.apply({ entry: { value: '{"version": 3, "settings": {"system_prompt": ""}}', revision: 2 }, revision: 2 });
    s.apply({ entry: { value: 'not json', revision: 3 }, revision: 3 });
    expect(s.current()).toMatchObject({ version: 2, systemPrompt: 'saved prompt' });
  });
});
