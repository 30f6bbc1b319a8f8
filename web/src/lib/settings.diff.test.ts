import type { ChatbotSettings } from '@chatbot/proto';
import { changedFields, lineDiff } from './settings.diff';

const v1: ChatbotSettings = {
  system_prompt: '너는 카드 상담원이다.\n짧게 답한다.',
  greeting: '안녕하세요',
  model: 'stub-model',
  temperature: 0.3,
  max_tokens: 512,
  handoff: { keywords: ['환불'], categories: [] },
  allow_client_system_prompt: false,
};

test('only the fields that changed, lists one item a line', () => {
  const v2 = { ...v1, temperature: 0.5, handoff: { keywords: ['환불', '해지'], categories: [] } };
  expect(changedFields(v1, v2)).toEqual([
    { field: 'temperature', before: '0.3', after: '0.5' },
    { field: 'handoff.keywords', before: '환불', after: '환불\n해지' },
  ]);
  expect(changedFields(null, v1).map((c) => c.field)).toHaveLength(8);
});

test('a prompt diff keeps the unchanged lines and marks the removed and added ones in order', () => {
  expect(lineDiff('a\nb\nc', 'a\nx\nc\nd')).toEqual([
    { kind: 'same', text: 'a' },
    { kind: 'removed', text: 'b' },
    { kind: 'added', text: 'x' },
    { kind: 'same', text: 'c' },
    { kind: 'added', text: 'd' },
  ]);
  expect(lineDiff('', 'new')).toEqual([{ kind: 'added', text: 'new' }]);
});
