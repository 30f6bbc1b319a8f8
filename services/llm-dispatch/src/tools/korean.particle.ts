/**
 * Korean topic particles depend on how the previous word sounds: `이란` after a final consonant
 * (리볼빙이란), `란` after a vowel (캐시백이란 vs 포인트란). Latin letters and digits are read
 * by their Korean names (DCC → 디씨씨 → 란, PLCC → 씨 → 란, 7CORE → 어 → 란).
 */
const HANGUL_FIRST = 0xac00;
const HANGUL_LAST = 0xd7a3;
/** Letters whose Korean name ends in a consonant: 엘, 엠, 엔, 알. */
const LATIN_CLOSED = new Set(['l', 'm', 'n', 'r']);
/** Digits read with a final consonant: 영, 일, 삼, 육, 칠, 팔. */
const DIGITS_CLOSED = new Set(['0', '1', '3', '6', '7', '8']);

export function endsWithConsonant(word: string): boolean {
  const last = [...word.trim()].pop()?.toLowerCase() ?? '';
  const code = last.codePointAt(0) ?? 0;
  if (code >= HANGUL_FIRST && code <= HANGUL_LAST) return (code - HANGUL_FIRST) % 28 !== 0;
  if (/[a-z]/.test(last)) return LATIN_CLOSED.has(last);
  if (/[0-9]/.test(last)) return DIGITS_CLOSED.has(last);
  return false;
}

/** "리볼빙이란?", "포인트란?": a related term phrased as a follow-up question. */
export function whatIsQuestion(term: string): string {
  return `${term}${endsWithConsonant(term) ? '이란' : '란'}?`;
}
