import { endsWithConsonant, whatIsQuestion } from './korean.particle';

describe('Korean particle after a term', () => {
  it.each([
    ['리볼빙', '리볼빙이란?'],
    ['캐시백', '캐시백이란?'],
    ['포인트', '포인트란?'],
    ['신용 한도', '신용 한도란?'],
    ['연회비', '연회비란?'],
    ['DCC', 'DCC란?'],
    ['PLCC', 'PLCC란?'],
    ['CVC', 'CVC란?'],
    ['해외 ATM 인출', '해외 ATM 인출이란?'],
  ])('%s → %s', (term, question) => {
    expect(whatIsQuestion(term)).toBe(question);
  });

  it('reads Latin letters and digits by their Korean names', () => {
    expect(endsWithConsonant('SAM')).toBe(true); // 엠
    expect(endsWithConsonant('7')).toBe(true); // 칠
    expect(endsWithConsonant('2')).toBe(false); // 이
    expect(endsWithConsonant('')).toBe(false);
  });
});
