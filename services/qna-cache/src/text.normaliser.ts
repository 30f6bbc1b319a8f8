/**
 * The one normal form for matching user text against the catalogue: Unicode NFKC (full-width
 * letters, compatibility jamo and decomposed Hangul become their usual forms), whitespace runs
 * collapsed to one space, trimmed, lower-cased. Stored search columns use the same function, so a
 * query and a row can only differ in content, never in encoding.
 */
export function normalise(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, ' ').trim().toLowerCase();
}

/** The normal form without any spaces: "카드의 정석2" and "카드의정석2" share it. */
export function compact(text: string): string {
  return normalise(text).replaceAll(' ', '');
}

const ROMAN_NUMERALS = /[\u2160-\u216b\u2170-\u217b]/gu;

/**
 * The key card names are matched by: compact, with Unicode Roman numerals as digits and "check"
 * as 체크, because users type "카드의정석 2" for "카드의정석Ⅱ" and mix 체크 and CHECK freely.
 */
export function nameKey(text: string): string {
  const digits = text.replace(ROMAN_NUMERALS, (c) => String((c.codePointAt(0)! - 0x2160) % 16 + 1));
  return compact(digits).replaceAll('check', '체크');
}
