import { parseSummary, SummaryFormatError, summaryInstructions } from './llm.summarizer';

describe('parseSummary', () => {
  it('reads the JSON object out of a code fence or prose, and bounds the fields', () => {
    const text = '요약입니다:\n```json\n{"issue": "카드 분실", "tried": "분실 신고 방법 안내", "open": "재발급 일정", "category": "Lost_Card"}\n```';
    expect(parseSummary(text, ['lost_card'])).toEqual({ issue: '카드 분실', tried: '분실 신고 방법 안내', open: '재발급 일정', category: 'lost_card' });
    expect(parseSummary(JSON.stringify({ issue: 'a'.repeat(5000), category: '' }), []).issue).toHaveLength(2000);
    expect(parseSummary('{"issue": "x"}', [])).toEqual({ issue: 'x', tried: '', open: '', category: 'general' });
  });

  it('refuses an answer without an issue or without JSON', () => {
    expect(() => parseSummary('I cannot summarise this.', [])).toThrow(SummaryFormatError);
    expect(() => parseSummary('{"tried": "x"}', [])).toThrow(SummaryFormatError);
    expect(() => parseSummary('{"issue": ', [])).toThrow(SummaryFormatError);
  });
});

test('the instructions list the configured categories when there are some', () => {
  expect(summaryInstructions(['refund', 'complaint'])).toContain('one of: refund, complaint');
  expect(summaryInstructions([])).toContain('one short lowercase label');
});
