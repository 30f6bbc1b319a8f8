import { normalise } from '../text.normaliser';

/**
 * Korean-aware pieces of matching. Korean glues particles and endings to words ("카드를",
 * "잃어버렸어요") and customers drop or add spaces freely, so matching works on the text without
 * spaces, cut into syllable bigrams, after the endings that carry no topic are cut off. Typos
 * usually change one letter of a syllable (결재/결제, 수수로/수수료), so a second view compares
 * the letters (jamo) of the syllables.
 */

/** Whole words that only frame a question ("how", "please", "can I"): they match every FAQ alike. */
const FRAME_WORDS = new Set([
  '어떻게', '어떡해', '어케', '어떻하나요', '좀', '혹시', '그냥', '제가', '저', '내', '나', '제', '저의', '나의', '뭐', '뭔가요', '뭐예요', '뭐에요',
  '무엇인가요', '무엇', '있나요', '있어요', '있어', '하나요', '되나요', '돼요', '되요', '해요', '하죠', '주세요', '줘', '알려줘', '알려주세요',
  '가능한가요', '가능해요', '가능', '싶어요', '싶은데', '싶어', '수', '할', '하면', '해야', '하는', '방법', '방법은', '법', '건가요', '거예요', '거',
  '것', '그런가요', '왜', '어디서', '어디', '어디에서', '안녕하세요', '안녕', '저기요', '문의', '문의드립니다', '궁금해요', '궁금합니다', '궁금한데요', 'ㅠㅠ', 'ㅠ', 'ㅜㅜ', '요',
]);

/** Particles and endings cut off a word's end (longest first), when a stem of two syllables or more is left. */
const ENDINGS = [
  '하고싶어요', '하고싶은데', '고싶어요', '고싶은데', '싶어요', '싶은데', '하려면요', '하려면', '으려면', '려면', '했는데요', '했는데', '는데요', '는데',
  '인데요', '인데', '할수있나요', '수있나요', '있나요', '되나요', '하나요', '인가요', '한가요', '할까요', '일까요', '나요', '까요', '었어요', '았어요',
  '했어요', '어요', '아요', '여요', '해요', '돼요', '에요', '예요', '세요', '해줘', '에서는', '에서', '으로', '에게', '한테', '이랑', '하고', '까지',
  '부터', '처럼', '보다', '라고', '이란', '란', '을', '를', '은', '는', '이', '가', '의', '에', '로', '와', '과', '도', '만', '랑', '요', '죠',
];

function stem(word: string): string {
  for (const ending of ENDINGS) {
    if (word.endsWith(ending) && [...word].length - [...ending].length >= 2) return word.slice(0, -ending.length);
  }
  return word;
}

/** The words of a text that carry its topic, each without its particle or ending. */
export function topicWords(text: string): string[] {
  return normalise(text)
    .replace(/[?!.,~'"()[\]{}<>·…:;/\\|_-]+/gu, ' ')
    .split(' ')
    .filter((word) => word !== '' && !FRAME_WORDS.has(word))
    .map(stem)
    .filter((word) => !FRAME_WORDS.has(word));
}

/** Overlapping pairs of characters of a text without spaces; a single character stands alone. */
export function bigrams(compactText: string): string[] {
  const chars = [...compactText];
  if (chars.length < 2) return chars;
  return chars.slice(1).map((c, i) => chars[i] + c);
}

/** The letters of the Hangul syllables (NFD splits a syllable into its conjoining jamo). */
export function jamo(text: string): string {
  return text.normalize('NFD');
}

/** Overlapping letter triples, per word: what two spellings of a word with one typo still share. */
export function jamoTrigrams(words: string[]): string[] {
  return words.flatMap((word) => {
    const letters = [...jamo(word)];
    if (letters.length < 3) return [letters.join('')];
    return letters.slice(2).map((c, i) => letters[i]! + letters[i + 1]! + c);
  });
}

/**
 * Edit distance of `needle` to the closest substring of `haystack` (Sellers): how far the text is
 * from containing the word, letters inserted, dropped or changed.
 */
export function substringDistance(needle: string, haystack: string): number {
  const n = [...needle];
  const h = [...haystack];
  let previous = Array.from({ length: n.length + 1 }, (_, i) => i);
  let best = previous[n.length]!;
  for (let j = 1; j <= h.length; j += 1) {
    const current = [0];
    for (let i = 1; i <= n.length; i += 1) {
      const change = previous[i - 1]! + (n[i - 1] === h[j - 1] ? 0 : 1);
      current.push(Math.min(change, previous[i]! + 1, current[i - 1]! + 1));
    }
    best = Math.min(best, current[n.length]!);
    previous = current;
  }
  return best;
}

const HANGUL_ONLY = /^[\uac00-\ud7a3]+$/u;

/**
 * How well the text holds the name (both without spaces), 1 = whole; a near spelling scores by
 * its share of letters right, and only for a Hangul name long enough for one slip not to make
 * another word (three syllables or more, and one slip at most: a long name with several letters
 * off is more often another product of the same family than a typo). Latin letters and digits must be exact:
 * "카드의정석2" and "카드의정석 TEN" are different products, not typos of each other.
 */
export function containment(name: string, text: string): number {
  if (name === '') return 0;
  if (text.includes(name)) return 1;
  if (!HANGUL_ONLY.test(name) || [...name].length < 3) return 0;
  const letters = jamo(name);
  const allowed = Math.min(1, Math.floor([...letters].length / 6));
  if (allowed === 0) return 0;
  const haystack = jamo(text);
  if (!holdsAPiece(letters, allowed + 1, haystack)) return 0;
  const distance = substringDistance(letters, haystack);
  return distance <= allowed ? 1 - distance / [...letters].length : 0;
}

/**
 * Whether the haystack holds one of `pieces` equal slices of the needle exactly: a text within
 * `pieces - 1` slips of the needle always does (each slip spoils one slice at most), so when it
 * holds none the edit distance need not be computed. Most texts name most words not at all.
 */
function holdsAPiece(needle: string, pieces: number, haystack: string): boolean {
  const size = Math.floor(needle.length / pieces);
  for (let i = 0; i < pieces; i += 1) {
    const piece = needle.slice(i * size, i === pieces - 1 ? needle.length : (i + 1) * size);
    if (haystack.includes(piece)) return true;
  }
  return false;
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

/**
 * Whether every time the text holds `short` it is as part of `long` ("카드의정석2" in "D4카드의정석2",
 * "연체" in "연체이자"); "연체이자랑 연체 차이" holds 연체 once more on its own, so both are named.
 */
export function coveredBy(long: string, short: string, text: string): boolean {
  if (!long.includes(short)) return false;
  if (!text.includes(short) || !text.includes(long)) return true;
  return occurrences(text, short) <= occurrences(text, long) * occurrences(long, short);
}
