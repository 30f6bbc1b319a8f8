/** Longest title taken from a first message, in characters (code points). */
const TITLE_LENGTH = 50;
/** A cut at a word boundary may give back this many characters at most. */
const WORD_SLACK = 15;

/**
 * The title a conversation gets from its first message when its owner chose none: the text on one
 * line, cut at a word boundary near 50 characters, with an ellipsis when cut.
 */
export function titleFromMessage(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(line);
  if (chars.length <= TITLE_LENGTH) return line;
  const head = chars.slice(0, TITLE_LENGTH).join('');
  const space = chars[TITLE_LENGTH] === ' ' ? head.length : head.lastIndexOf(' ');
  const cut = space >= head.length - WORD_SLACK ? head.slice(0, space) : head;
  return `${cut.trimEnd()}…`;
}
