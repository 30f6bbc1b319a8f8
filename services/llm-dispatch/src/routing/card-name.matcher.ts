import { compact } from './korean.text';

/** Words every second product carries; alone they name no product. */
const GENERIC_SUFFIX = /(우리카드|체크카드|카드|체크|check)+$/;
/** Series names users write without the rest of the product name. */
const SERIES = ['카드의정석', '위비트래블', '트래블월렛', '로얄블루', 'royalblue', '그랑블루', 'opus', 'kream'];

/** A short Latin core such as "e1" would match inside ordinary words. */
function distinctive(core: string): boolean {
  return /[^\x00-\x7f]/.test(core) ? core.length >= 2 : core.length >= 3;
}

function keysOf(name: string): string[] {
  const full = compact(name);
  const core = full.replace(GENERIC_SUFFIX, '');
  return distinctive(core) && core !== full ? [full, core] : [full];
}

/** True when the text names a card product (exactly, without spaces, or by its series). */
export type CardNameMatcher = (text: string) => boolean;

/** A matcher for these product names (the catalogue's, asked of qna-cache) and the series names. */
export function cardNameMatcher(cardNames: readonly string[]): CardNameMatcher {
  const nameKeys: readonly string[] = [...new Set([...cardNames.flatMap(keysOf), ...SERIES])];
  return (text) => {
    const key = compact(text);
    return nameKeys.some((name) => key.includes(name));
  };
}
