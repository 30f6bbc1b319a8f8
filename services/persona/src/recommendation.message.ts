import { categoryLabels, rankedCategories, type RecommendedCard, type SpendingR3m } from './spending.model';

/** How many spending categories the message lists. */
const TOP_CATEGORIES = 3;

export const LOGIN_REQUIRED_MESSAGE =
  '로그인이 필요합니다. 소비 내역을 바탕으로 카드를 추천해 드리려면 아래에서 페르소나를 선택해 주세요.';

export interface MessageInput {
  personaName: string;
  clusterLabel: string;
  spending: SpendingR3m;
  cards: RecommendedCard[];
}

const wonFormat = new Intl.NumberFormat('ko-KR');
export const formatWon = (amount: number): string => `${wonFormat.format(amount)}원`;

/** A GFM table cell: a pipe would end the cell and a newline the row. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ').trim();

function spendingLines(spending: SpendingR3m): string[] {
  const ranked = rankedCategories(spending);
  if (ranked.length === 0) return ['최근 3개월 동안 카드 이용 내역이 없어요.'];
  const total = ranked.reduce((sum, entry) => sum + entry.amount, 0);
  return ranked.slice(0, TOP_CATEGORIES).map(({ category, amount }, index) => {
    const share = Math.round((amount / total) * 100);
    return `${index + 1}. ${categoryLabels[category]}: ${formatWon(amount)} (${share}%)`;
  });
}

/** The Markdown the chat client renders for a spending-based recommendation. */
export function recommendationMessage(input: MessageInput): string {
  const { spending } = input;
  return [
    `**${input.personaName}** 님의 최근 3개월 소비를 분석했어요.`,
    '',
    `- 소비 유형: **${input.clusterLabel}**`,
    `- 이용 건수: ${wonFormat.format(spending.usage_count_r3m)}건, 이용 금액: ${formatWon(spending.usage_amount_r3m)}`,
    '',
    '**최근 3개월 주요 지출**',
    '',
    ...spendingLines(spending),
    '',
    '**이런 카드를 추천드려요**',
    '',
    '| 카드 | 추천 이유 |',
    '| --- | --- |',
    ...input.cards.map((card) => `| ${cell(card.name)} | ${cell(card.reason)} |`),
  ].join('\n');
}
