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

/** The name with its Latin words read in Hangul. */
function reading(name: string, vocabulary: SearchVocabulary): string {
  return name.toLowerCase().replace(/[a-z0-9+&]+/gu, (word) => vocabulary.readings.get(word) ?? word);
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
    const wholes = [nameKey(name), nameKey(reading(name, vocabulary))];
    const unique = brands.filter((brand) => brand === brands[i]).length === 1;
    const brand = unique ? [brands[i]!, nameKey(reading(brandOf(name), vocabulary))] : [];
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
