import { nameKey } from '../text.normaliser';
import { containment, coveredBy } from './korean.text';
import type { SearchVocabulary } from './search.vocabulary';

/**
 * Which cards a text names. Each card answers to several keys, all compared without spaces:
 * its name, the name read in Hangul (TEN → 텐, KREAM → 크림), the name without the words every
 * card carries (우리카드, 체크카드, CHECK, the 카드의정석 series), and its brand when no other card
 * shares it (코웨이, 넥센타이어). A key found inside a longer key of another card that the text also
 * holds does not count ("위비트래블" inside "위비트래블J"), so a name picks its own card, not its family.
 */
const GENERIC_END = /(우리카드|체크카드|우리체크|카드|체크)(2|\+)?$/u;
const SERIES_START = /^(카드의정석|우리카드|the|더|all|올)/u;
/** Words that are needs or kinds of card, not names: "프리미엄 카드" names no product. */
const ORDINARY = new Set([
  '쇼핑', '쇼핑+', 'shopping', 'shopping+', '포인트', 'point', '프리미엄', 'premium', '마일리지', 'mileage', 'every', '에브리', 'everyday', '에브리데이',
  '모바일', '체크', 'check', '플러스', 'plus', '원', 'one', 'won', '더', 'the', 'all', '올', '우리카드', '카드의정석', '카드', '2', 'infinite', '인피니트',
]);
const MIN_MATCH = 0.85;

/** A letter and a digit (E1, D4) is a brand as customers write it ("E1카드"), not a piece of a word. */
const LETTER_DIGIT = /^[a-z][0-9]$/u;

function distinctive(key: string): boolean {
  if (ORDINARY.has(key)) return false;
  return /[^\x00-\x7f]/u.test(key) ? [...key].length >= 2 : key.length >= 3 || LETTER_DIGIT.test(key);
}

const LATIN_WORD = /[a-z0-9+&]+/gu;
/** Up to 3^words mixes per name: bounded, the catalogue's names hold four Latin words at most. */
const MAX_MIXED_WORDS = 5;
const SIGNS: Record<string, string> = { '+': '플러스', '&': '앤' };

/** A Latin word read in Hangul: whole (U+ → 유플러스), else piece by piece, signs read or kept (SHOPPING+ → 쇼핑플러스, 쇼핑+). */
function forms(word: string, vocabulary: SearchVocabulary): string[] {
  const whole = vocabulary.readings.get(word);
  if (whole) return [word, whole];
  const parts = word.split(/([+&])/u);
  const readPart = (part: string) => vocabulary.readings.get(part) ?? part;
  return [...new Set([word, parts.map((part) => SIGNS[part] ?? readPart(part)).join(''), parts.map(readPart).join('')])];
}

/**
 * The name with each Latin word either kept or read in Hangul, in every mix: customers write
 * "FC 익스프레스" as often as "FC EXPRESS" or "에프씨 익스프레스".
 */
function readings(name: string, vocabulary: SearchVocabulary): string[] {
  const lower = name.toLowerCase();
  const words = lower.match(LATIN_WORD) ?? [];
  if (words.length > MAX_MIXED_WORDS) return [lower, lower.replace(LATIN_WORD, (word) => forms(word, vocabulary)[1] ?? word)];
  let mixes = [''];
  let from = 0;
  for (const match of lower.matchAll(LATIN_WORD)) {
    const before = lower.slice(from, match.index);
    const word = match[0];
    mixes = mixes.flatMap((mix) => forms(word, vocabulary).map((form) => mix + before + form));
    from = match.index + word.length;
  }
  return mixes.map((mix) => mix + lower.slice(from));
}

function cores(key: string): string[] {
  const stripped = key.replace(SERIES_START, '');
  const variants = [key, stripped].flatMap((k) => [k, k.replace(GENERIC_END, ''), k.replace(/\+$/u, '')]);
  return variants.filter((k) => k !== key);
}

export function nameKeysOf(names: string[], vocabulary: SearchVocabulary): string[][] {
  const brandOf = (name: string) => name.split(' ')[0] ?? name;
  const brands = names.map((name) => nameKey(brandOf(name)));
  return names.map((name, i) => {
    const wholes = [...new Set(readings(name, vocabulary).map(nameKey))];
    const unique = brands.filter((brand) => brand === brands[i]).length === 1;
    const brand = unique ? [brands[i]!, ...readings(brandOf(name), vocabulary).map(nameKey)] : [];
    const parts = [...wholes.flatMap(cores), ...brand].filter(distinctive);
    return [...new Set([...wholes, ...parts])].filter((k) => k !== '');
  });
}

export interface NamedCard {
  index: number;
  score: number;
  /** Where in the text the name starts (spaces taken out), to list cards in the order named. */
  at: number;
}

export function namedCards(keysByCard: string[][], text: string): NamedCard[] {
  const key = nameKey(text);
  const found = keysByCard
    .map((keys, index) => {
      let best = { score: 0, key: '' };
      for (const k of keys) {
        const score = containment(k, key);
        if (score > best.score || (score === best.score && k.length > best.key.length)) best = { score, key: k };
      }
      return { index, ...best };
    })
    .filter((m) => m.score >= MIN_MATCH);
  return found
    .filter((m) => !found.some((o) => o.index !== m.index && o.key !== m.key && coveredBy(o.key, m.key, key)))
    .map(({ index, score, key: k }) => ({ index, score, at: key.includes(k) ? key.indexOf(k) : key.length }));
}
