import { route as routeWith, asksToCompare, definedTerm, type Route } from './intent.router';
import { cardNameMatcher } from './card-name.matcher';
import { tidy } from './korean.text';

/** Some of the catalogue's product names, as qna-cache gives them (its seed data spells them so). */
const namesCard = cardNameMatcher(['카드의정석2', 'KREAM 우리카드', 'the OPUS silver', '위비트래블 체크카드', '트래블월렛 우리카드', 'D4카드의정석Ⅱ', '쿠쿠 우리카드', 'NU Biz', 'E1 우리카드', 'ROYAL BLUE MILEAGE']);
const route = (text: string) => routeWith(text, namesCard);

const toolOf = (text: string) => {
  const result: Route = route(text);
  return result.kind === 'tool' ? result.call.tool : 'smalltalk';
};

/** The preset strings of shared/data/seed000/frontend-menu-presets.json, sent verbatim by the client. */
describe('routes the seed client menu presets', () => {
  it.each([
    ['편의점/카페/배달 위주로 할인 많이 받는 카드 추천해줘.', 'get_card_recommendation'],
    ['내년에 일본 여행 갈건데, 여행 위주로 할인을 많이 받을 수 있는 카드를 추천해줘', 'get_card_recommendation'],
    ['카드의 정석2와 카드의정석 EVERY 1 혜택 알려줘', 'get_card_description'],
    ['카드의 정석2의 혜택과 이용조건에 대해서 알려줘', 'get_card_description'],
    ['내 소비 패턴에 맞는 카드를 추천해줘', 'consumption_recommend'],
    ['리볼빙이 뭐야?', 'query_term_database'],
    ['카드를 잃어버렸어요', 'query_faq_database'],
  ])('%s → %s', (text, tool) => {
    expect(toolOf(text)).toBe(tool);
  });

});

describe('routes other phrasings', () => {
  it.each([
    ['해외여행 갈 때 쓰기 좋은 카드 있어?', 'get_card_recommendation'],
    ['마일리지 많이 쌓이는 카드 골라줘', 'get_card_recommendation'],
    ['주유 할인 카드 추천 부탁해요', 'get_card_recommendation'],
    ['카드의정석2 같은 카드 추천해줘', 'get_card_recommendation'],
    ['KREAM 우리카드 연회비 얼마야?', 'get_card_description'],
    ['the OPUS silver 어때?', 'get_card_description'],
    ['위비트래블 체크카드랑 트래블월렛 우리카드 비교해줘', 'get_card_description'],
    ['D4카드의정석Ⅱ 혜택', 'get_card_description'],
    ['카드의정석2 잃어버렸어요', 'query_faq_database'],
    ['나한테 맞는 카드 추천해줘', 'consumption_recommend'],
    ['제 지출 내역 분석해서 카드 골라주세요', 'consumption_recommend'],
    ['소비 패턴 기반으로 추천해줘', 'consumption_recommend'],
    ['DCC가 뭐예요?', 'query_term_database'],
    ['하이브리드 카드가 뭐야', 'query_term_database'],
    ['하이패스 카드가 뭔가요', 'query_term_database'],
    ['캐시백이란?', 'query_term_database'],
    ['선결제의 뜻이 뭐야', 'query_term_database'],
    ['금리인하요구권에 대해 알려줘', 'query_term_database'],
    ['할부수수료 설명해줘', 'query_term_database'],
    ['결제일을 바꾸고 싶어요', 'query_faq_database'],
    ['카드 한도를 올리려면 어떻게 하나요', 'query_faq_database'],
    ['해외에서 결제가 안 돼요', 'query_faq_database'],
    ['비밀번호를 5번 틀렸어요', 'query_faq_database'],
    ['연회비는 언제 나가나요?', 'query_faq_database'],
    ['할부 수수료는 어떻게 계산되나요?', 'query_faq_database'],
  ])('%s → %s', (text, tool) => {
    expect(toolOf(text)).toBe(tool);
  });

  it.each(['안녕하세요', '고마워요!', 'hi'])('answers the greeting "%s" without a tool', (text) => {
    expect(route(text)).toEqual({ kind: 'smalltalk' });
  });
});

describe('tool arguments of a route', () => {
  it('extracts the term from a definition question', () => {
    expect(route('리볼빙이 뭐야?')).toEqual({ kind: 'tool', call: { tool: 'query_term_database', args: { term: '리볼빙' } } });
    expect(definedTerm(tidy('DCC란?'))).toBe('DCC');
    expect(definedTerm(tidy('신용 한도는 뭐예요'))).toBe('신용 한도');
    expect(definedTerm(tidy('이월잔액이 뭔말이에요'))).toBe('이월잔액');
    expect(definedTerm(tidy('카드론이 뭔지 궁금해요'))).toBe('카드론');
  });

  it('takes "A랑 B 같은 거예요?" for a comparison', () => {
    expect(asksToCompare('선결제랑 즉시결제 같은 거예요?')).toBe(true);
    expect(asksToCompare('할부 개월 수 바꿀 수 있나요')).toBe(false);
  });

  it('passes the whole text for card searches and FAQ questions', () => {
    const text = '카드의 정석2의 혜택과 이용조건에 대해서 알려줘';
    expect(route(text)).toEqual({ kind: 'tool', call: { tool: 'get_card_description', args: { card_names: [text] } } });
    expect(route(' 카드를 잃어버렸어요 ')).toEqual({
      kind: 'tool',
      call: { tool: 'query_faq_database', args: { question: '카드를 잃어버렸어요' } },
    });
  });

  it('never takes a session or persona from the text', () => {
    expect(route('내 소비 패턴에 맞는 카드를 추천해줘 session_id=abc')).toEqual({
      kind: 'tool',
      call: { tool: 'consumption_recommend', args: {} },
    });
  });

  it('does not read a longer question as a term', () => {
    expect(definedTerm(tidy('카드 발급에 필요한 서류는 무엇인가요'))).toBeUndefined();
    expect(definedTerm(tidy('카드를 잃어버렸어요'))).toBeUndefined();
  });
});

describe('card names', () => {
  it.each(['카드의 정석2', '카드의정석 2', 'kream 우리카드', 'ROYAL BLUE 카드', '쿠쿠 카드', 'nu biz'])('recognises %s', (text) => {
    expect(namesCard(text)).toBe(true);
  });

  it.each(['우리카드 고객센터', '체크카드 발급', 'e1 시험', '카드 추천'])('does not take "%s" for a product', (text) => {
    expect(namesCard(text)).toBe(false);
  });

  it('knows only the names it was given, besides the series names', () => {
    expect(cardNameMatcher([])('쿠쿠 카드')).toBe(false);
    expect(cardNameMatcher([])('카드의 정석2')).toBe(true); // the series 카드의정석
    expect(cardNameMatcher(['쿠쿠 우리카드'])('쿠쿠 카드')).toBe(true);
    expect(routeWith('쿠쿠 우리카드 혜택 알려줘', cardNameMatcher([]))).toMatchObject({ call: { tool: 'query_faq_database' } });
  });
});
