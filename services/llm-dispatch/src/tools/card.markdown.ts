import type { CardInfo } from '@chatbot/proto';

const won = new Intl.NumberFormat('ko-KR');

/** A GFM table cell: a pipe would end the cell and a newline the row. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ').trim();

export function cardType(card: CardInfo): string {
  return card.type === 'credit' ? '신용카드' : '체크카드';
}

export function annualFee(card: CardInfo): string {
  const { annual_fee_domestic: domestic, annual_fee_overseas: overseas } = card;
  if (domestic === 0 && overseas === 0) return '없음';
  if (domestic === overseas) return `${won.format(domestic)}원`;
  return `국내 ${won.format(domestic)}원 / 해외겸용 ${won.format(overseas)}원`;
}

/** One section per card: what it is, what it costs, what it gives. */
export function cardDetails(cards: CardInfo[]): string {
  return cards
    .map((card) =>
      [
        `### ${card.name}`,
        '',
        card.summary,
        '',
        `- 종류: ${cardType(card)}`,
        `- 연회비: ${annualFee(card)}`,
        '',
        '**주요 혜택**',
        '',
        ...card.benefits.map((benefit) => `- ${benefit}`),
      ].join('\n'),
    )
    .join('\n\n');
}

/** Side by side, for choosing between several cards. */
export function cardTable(cards: CardInfo[]): string {
  return [
    '| 카드 | 종류 | 연회비 | 대표 혜택 |',
    '| --- | --- | --- | --- |',
    ...cards.map((card) =>
      `| ${cell(card.name)} | ${cardType(card)} | ${cell(annualFee(card))} | ${cell(card.benefits[0] ?? card.summary)} |`),
  ].join('\n');
}
