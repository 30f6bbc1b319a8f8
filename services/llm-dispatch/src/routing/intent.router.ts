import type { ToolCallRequest } from '../tools/tool.definitions';
import type { CardNameMatcher } from './card-name.matcher';
import { compact, normalise, tidy } from './korean.text';

/**
 * Retrieval mode's stand-in for the model's tool choice: ordered rules over the normalised text.
 * 1. greetings and thanks get a canned answer (no tool);
 * 2. the user's own spending → consumption_recommend;
 * 3. a named card product → get_card_description (or the FAQ for a service request about it,
 *    or a recommendation when asking for similar cards);
 * 4. "X가 뭐야?" style questions → query_term_database with X;
 * 5. asking which card to get → get_card_recommendation;
 * 6. anything else → query_faq_database.
 */
export type Route = { kind: 'smalltalk' } | { kind: 'tool'; call: ToolCallRequest };

/** A greeting word, not the start of a longer word: "하이" greets, "하이브리드" and "하이패스" do not. */
const SMALLTALK = /^(안녕|하이(?![가-힣a-z])|헬로|hello|hi(?![a-z])|hey(?![a-z])|반가워|반갑|고마워|고맙|감사|땡큐|thank)/;
const SPENDING = /(소비|지출|씀씀이|마이\s*데이터|(이용|결제|사용|카드)\s*내역)/;
const PERSONAL = /(^|\s)(내|나의|제|저의|나|저)(한테|에게|게|의)?\s/;
const PERSONAL_FIT = /(^|\s)(내|나|저|제)(한테|에게|게)?\s*(딱\s*)?(맞는|어울리는|알맞은)\s*카드/;
/** Things a customer wants done about a card: the FAQ answers these, not the product sheet. */
const SERVICE_REQUEST =
  /(잃어버|분실|도난|도용|훼손|재발급|비밀번호|해지|탈회|정지|결제일|결제\s*계좌|연체|배송|명세서|환불|신고|발급|신청)/;
const RECOMMEND = /(추천|골라|고르|찾아\s*줘|좋은\s*카드|어떤\s*카드|무슨\s*카드|쓸만한|유리한|(할인|적립|혜택)[을를이가]?\s*(많|잘|좋|큰)|카드\s*(가|를)?\s*(있나요|있어|있을까|있니|없을까))/;
const SIMILAR = /(비슷한|같은|대신|말고)/;
const DESCRIBE = /(혜택|조건|연회비|설명|알려|뭐야|어때|차이|비교|특징|실적|한도)/;
const NEED = /(카드|할인|적립|혜택|마일리지|포인트|캐시백|여행|해외|편의점|카페|배달|쇼핑|교통|주유|통신)/;

/** "리볼빙이 뭐야?", "선결제의 뜻", "할부수수료 설명해줘", "DCC에 대해 알려줘": the subject is the term. */
const PARTICLE = '(?:이란|란|이라는\\s*건|라는\\s*건|이|가|은|는|의)?';
const ASKS_MEANING =
  '(?:뭔\\s*말|무슨\\s*말|뭔지|뭐냐|뭐야|뭐예요|뭐에요|뭐에여|뭐예여|뭐여|뭐죠|뭐지요|머야|머예요|머에요|머임|뭔가요|뭔데|뭐지|뭐니|뭐임|무엇인가요|무엇이에요|무엇입니까|무엇|무슨\\s*뜻|뜻|의미|개념|정의|설명해)';
const DEFINITIONS = [
  new RegExp(`^(.{1,24}?)\\s*${PARTICLE}\\s*${ASKS_MEANING}`),
  /^(.{1,24}?)\s*(?:에\s*대해서?|에\s*대한)\s*(?:알려|설명)/,
  /^(.{1,24}?)\s*(?:이란|란)\s*\??$/,
];
const NOT_A_TERM = /(어떻게|왜|언제|어디|얼마|어떤|몇|할\s*수|되나요|하나요|있나요|방법|해야)/;

/** `namesCard` tells whether the text names a card product of the catalogue. */
export function route(text: string, namesCard: CardNameMatcher): Route {
  const plain = normalise(text);
  if (plain === '' || (SMALLTALK.test(plain) && compact(plain).length <= 12)) return { kind: 'smalltalk' };
  if (asksAboutOwnSpending(plain)) return tool({ tool: 'consumption_recommend', args: {} });
  if (namesCard(plain)) return tool(cardRoute(plain, text));
  const term = definedTerm(tidy(text));
  if (term) return tool({ tool: 'query_term_database', args: { term } });
  if (RECOMMEND.test(plain) && NEED.test(plain) && !SERVICE_REQUEST.test(plain)) {
    return tool({ tool: 'get_card_recommendation', args: { need: text.trim() } });
  }
  return tool({ tool: 'query_faq_database', args: { question: text.trim() } });
}

/** A comparison: "A랑 B 차이", "A vs B", "뭐가 나아요", "A랑 B 같은 거예요?". */
const COMPARE = /(차이|비교|같은\s*(거|건|것|말)|똑같|동일|다른\s*(점|거|게)|다른가요|달라|다르|vs|versus|뭐가\s*(나아|좋|낫)|어느\s*(게|것이|쪽이)\s*(나아|좋|낫))/;

export function asksToCompare(text: string): boolean {
  return COMPARE.test(normalise(text));
}

/** Something to be done about a card (report it lost, change its account…): an FAQ answers it, not the product sheet. */
export function asksForService(text: string): boolean {
  return SERVICE_REQUEST.test(normalise(text));
}

function tool(call: ToolCallRequest): Route {
  return { kind: 'tool', call };
}

function asksAboutOwnSpending(plain: string): boolean {
  if (SPENDING.test(plain) && (PERSONAL.test(plain) || /(패턴|습관|성향|분석)/.test(plain))) return true;
  return PERSONAL_FIT.test(plain) && !/(여행|해외|편의점|카페|배달|쇼핑|교통|주유|통신|마일리지)/.test(plain);
}

function cardRoute(plain: string, text: string): ToolCallRequest {
  if (SERVICE_REQUEST.test(plain)) return { tool: 'query_faq_database', args: { question: text.trim() } };
  if (RECOMMEND.test(plain) && SIMILAR.test(plain) && !DESCRIBE.test(plain)) {
    return { tool: 'get_card_recommendation', args: { need: text.trim() } };
  }
  return { tool: 'get_card_description', args: { card_names: [text.trim()] } };
}

/** The term of a definition question (case kept), or undefined when the text asks something else. */
export function definedTerm(text: string): string | undefined {
  if (NOT_A_TERM.test(text)) return undefined;
  const question = text.replace(/[.!?~]+$/, (end) => (end.includes('?') ? '?' : ''));
  const subject = DEFINITIONS.map((pattern) => pattern.exec(question)?.[1]?.trim()).find(Boolean);
  if (!subject || compact(subject).length > 16 || compact(subject).length < 2) return undefined;
  if (subject.split(' ').length > 3) return undefined;
  return subject;
}
