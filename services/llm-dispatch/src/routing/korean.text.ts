/** Unicode NFKC (full-width letters, Ⅱ → II) and one space between words; case is kept. */
export function tidy(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

/** Text as the rules compare it: tidy and lower case. */
export function normalise(text: string): string {
  return tidy(text).toLowerCase();
}

/**
 * Without spaces and most punctuation, so "카드의 정석2" and "카드의정석 2" meet "카드의정석2".
 * `+` and `&` stay: they are part of product names (U+ X, MILE&POINT). Roman II reads as 2.
 */
export function compact(text: string): string {
  return normalise(text)
    .replace(/[\s.,!?~"'`()[\]{}<>·…:;/\\|_-]+/g, '')
    .replace(/ii(?![a-z])/g, '2');
}
