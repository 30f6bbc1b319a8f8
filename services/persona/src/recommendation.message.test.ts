import { formatWon, recommendationMessage } from './recommendation.message';
import type { SpendingR3m } from './spending.model';

const spending: SpendingR3m = {
  usage_count_r3m: 24,
  usage_amount_r3m: 312_500,
  amount_shopping: 32_000,
  amount_food: 86_000,
  amount_transport: 118_000,
  amount_medical: 12_000,
  amount_payment: 0,
  amount_education: 0,
  amount_leisure: 0,
  amount_social: 0,
  amount_daily: 64_500,
  amount_overseas: 0,
};

const cards = [
  { name: '카드의정석 EVERYDAY CHECK', reason: '연회비 없이 캐시백을 줍니다.' },
  { name: '카드의정석 오하CHECK', reason: '편의점|카페\n할인' },
];

test('formats won with thousands separators', () => {
  expect(formatWon(1_234_567)).toBe('1,234,567원');
  expect(formatWon(0)).toBe('0원');
});

test('names the persona and cluster and lists the top three categories with amounts, largest first', () => {
  const message = recommendationMessage({ personaName: '사용자 페르소나 A', clusterLabel: '미니멀 소비형', spending, cards });
  expect(message).toContain('**사용자 페르소나 A**');
  expect(message).toContain('**미니멀 소비형**');
  expect(message).toContain('312,500원');
  const lines = message.split('\n').filter((line) => /^\d\. /.test(line));
  expect(lines).toEqual(['1. 교통: 118,000원 (38%)', '2. 요식: 86,000원 (28%)', '3. 일상생활: 64,500원 (21%)']);
});

test('ends with a GFM table of the cards and their reasons, escaping pipes and newlines', () => {
  const message = recommendationMessage({ personaName: 'A', clusterLabel: 'L', spending, cards });
  expect(message.split('\n').slice(-4)).toEqual([
    '| 카드 | 추천 이유 |',
    '| --- | --- |',
    '| 카드의정석 EVERYDAY CHECK | 연회비 없이 캐시백을 줍니다. |',
    '| 카드의정석 오하CHECK | 편의점\\|카페 할인 |',
  ]);
});

test('says there is no spending instead of an empty list', () => {
  const none = { ...spending, usage_count_r3m: 0, usage_amount_r3m: 0, amount_shopping: 0, amount_food: 0, amount_transport: 0, amount_medical: 0, amount_daily: 0 };
  const message = recommendationMessage({ personaName: 'A', clusterLabel: '일반 소비형', spending: none, cards });
  expect(message).toContain('카드 이용 내역이 없어요');
  expect(message).not.toMatch(/^1\. /m);
});
