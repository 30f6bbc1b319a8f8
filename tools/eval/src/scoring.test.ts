import { readAnswer } from './answer.reader';
import type { CatalogueIndex } from './catalogue.index';
import type { Question } from './question.set';
import { figures, score } from './scoring';

const index: CatalogueIndex = {
  faqByQuestion: new Map([['카드를 잃어버렸을 때 어떻게 신고하나요?', 'FAQ-058'], ['해외에서 카드를 잃어버렸을 때는 어떻게 하나요?', 'FAQ-061']]),
  termByName: new Map([['체크카드', 'TERM-014'], ['신용카드', 'TERM-025']]),
  cardByName: new Map([['카드의정석 TEN', '103686'], ['카드의정석2', '102997']]),
  ids: new Set(['FAQ-058', 'FAQ-061', 'TERM-014', 'TERM-025', '103686', '102997']),
};
const question = (expect: string[]): Question => ({ q: 'q', expect, category: 'c', part: 'dev' });

describe('reading an answer', () => {
  it('reads the FAQ shown and the questions offered', () => {
    const read = readAnswer({
      message: '[분실/도난]\n\n질문: 해외에서 카드를 잃어버렸을 때는 어떻게 하나요?\n\n답변: …',
      login_required: false,
      related_questions: ['카드를 잃어버렸을 때 어떻게 신고하나요?'],
    }, index);
    expect(read).toEqual({ answer: ['FAQ-061'], offered: ['FAQ-058'] });
  });

  it('reads every term defined and the cards listed', () => {
    const terms = readAnswer({ message: '**체크카드** (Check card)\n\n…\n\n**신용카드** (Credit card)\n\n…', login_required: false, related_questions: ['체크카드란?'] }, index);
    expect(terms.answer).toEqual(['TERM-014', 'TERM-025']);
    const cards = readAnswer({ message: '…', login_required: false, card_list: ['카드의정석 TEN', '카드의정석2'] }, index);
    expect(cards.answer).toEqual(['103686', '102997']);
  });
});

describe('scoring', () => {
  it('is right at top-1 only when the answer states exactly what was meant', () => {
    expect(score(question(['103686']), { answer: ['103686'], offered: [] })).toMatchObject({ top1: true, rank: 1 });
    expect(score(question(['103686']), { answer: ['103686', '102997'], offered: [] })).toMatchObject({ top1: false, rank: 1 });
    expect(score(question(['TERM-014', 'TERM-025']), { answer: ['TERM-014'], offered: ['TERM-025'] })).toMatchObject({ top1: false, rank: 1 });
    expect(score(question(['TERM-014', 'TERM-025']), { answer: ['TERM-014'], offered: ['TERM-001', 'TERM-025'] })).toMatchObject({ rank: 2 });
  });

  it('counts an ask-back as wrong at top-1 but ranks its candidates', () => {
    const asked = score(question(['FAQ-058']), { answer: [], offered: ['FAQ-061', 'FAQ-058'] });
    const missed = score(question(['FAQ-058']), { answer: ['FAQ-061'], offered: [] });
    expect(asked).toMatchObject({ top1: false, rank: 2 });
    expect(figures([asked, missed])).toEqual({ n: 2, top1: 0, top3: 0.5, mrr: 0.25 });
  });
});
