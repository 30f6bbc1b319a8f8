import type { HistoryTurn } from '@chatbot/proto';
import { clip, DEFAULT_CATEGORY, type SummaryInput, type SummaryText } from './summary.types';

const ISSUE_MAX = 400;
const TRIED_REPLIES = 3;
const REPLY_GIST_MAX = 160;

/** Words that name a help-desk category when no configured category is named. */
const CATEGORY_WORDS: Array<[string, string[]]> = [
  ['refund', ['환불', '취소', 'refund', 'cancel']],
  ['lost_card', ['분실', '도난', '잃어버', 'lost', 'stolen']],
  ['payment', ['결제', '청구', '납부', '리볼빙', 'payment', 'bill']],
  ['fees', ['수수료', '연회비', 'fee']],
  ['card_issuance', ['발급', '신청', 'issue a card', 'apply']],
  ['benefits', ['혜택', '할인', '포인트', '적립', 'benefit', 'discount', 'point']],
];

/**
 * A summary picked from the conversation itself, for a deployment without a model or a model that
 * failed: the first thing the customer asked, the gist of the last answers, what the customer said
 * last without an answer, and a category by keywords.
 */
export function extractiveSummary({ turns, categories }: SummaryInput): SummaryText {
  const said = turns.filter((turn) => turn.content.trim() !== '');
  const users = said.filter((turn) => turn.role === 'user');
  const answers = said.filter((turn) => turn.role === 'assistant');
  const issue = users[0] ? clip(users[0].content, ISSUE_MAX) : '';
  const tried = answers.slice(-TRIED_REPLIES).map((turn) => gist(turn.content)).join(' / ');
  return { issue, tried, open: openQuestion(said, users), category: categoryOf(users, categories) };
}

/** The customer's last words when nobody answered them, else the last question after the first. */
function openQuestion(said: HistoryTurn[], users: HistoryTurn[]): string {
  const last = said.at(-1);
  if (last?.role === 'user') return clip(last.content, ISSUE_MAX);
  return users.length > 1 ? clip(users.at(-1)!.content, ISSUE_MAX) : '';
}

/** The first sentence of an answer, cut short. */
function gist(text: string): string {
  const firstSentence = text.trim().split(/(?<=[.!?。])\s|\n/)[0] ?? text;
  return clip(firstSentence, REPLY_GIST_MAX);
}

function categoryOf(users: HistoryTurn[], configured: string[]): string {
  const text = users.map((turn) => turn.content).join('\n').toLowerCase();
  const named = configured.find((category) => text.includes(category.toLowerCase()));
  if (named) return named;
  const byWords = CATEGORY_WORDS.find(([, words]) => words.some((word) => text.includes(word)));
  const category = byWords?.[0] ?? DEFAULT_CATEGORY;
  // A configured category of the same name is the one the team uses.
  return configured.find((c) => c.toLowerCase() === category) ?? category;
}
