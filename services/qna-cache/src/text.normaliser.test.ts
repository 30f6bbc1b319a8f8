import { compact, nameKey, normalise } from './text.normaliser';

describe('normalise', () => {
  test('folds full-width letters and digits to ASCII and lower-cases them', () => {
    expect(normalise('ＤＣＣ　카드１')).toBe('dcc 카드1');
  });

  test('composes decomposed Hangul (NFD jamo) into syllables', () => {
    const nfd = '리볼빙'.normalize('NFD');
    expect(nfd).not.toBe('리볼빙');
    expect(normalise(nfd)).toBe('리볼빙');
  });

  test('collapses runs of any whitespace and trims the ends', () => {
    expect(normalise(' \t카드를\n\n  잃어버렸을 때\u00a0 어떻게 신고하나요? ')).toBe('카드를 잃어버렸을 때 어떻게 신고하나요?');
  });

  test('compact drops every space so spacing variants meet', () => {
    expect(compact('카드의 정석 2')).toBe(compact('카드의정석2'));
    expect(compact('The OPUS  silver')).toBe('theopussilver');
  });
});

describe('nameKey', () => {
  test('reads Roman numerals as digits and CHECK as 체크, ignoring spaces', () => {
    expect(nameKey('D4카드의정석Ⅱ')).toBe('d4카드의정석2');
    expect(nameKey('DA카드의정석 Ⅱ')).toBe(nameKey('DA 카드의 정석 2'));
    expect(nameKey('카드의정석 오하CHECK')).toBe(nameKey('카드의 정석 오하체크'));
    expect(nameKey('카드의정석2')).toBe('카드의정석2');
  });
});
