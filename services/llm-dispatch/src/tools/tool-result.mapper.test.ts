import type { CardInfo, FaqHit, TermHit } from '@chatbot/proto';
import {
  cardDescriptionFields,
  cardRecommendationFields,
  consumptionFields,
  faqFields,
  NO_CARD_MATCH_MESSAGE,
  NO_FAQ_MESSAGE,
  ASK_BACK_MESSAGE,
  FAQ_GUESS_SCORE,
  termComparisonFields,
  termFields,
} from './tool-result.mapper';

const faq = (id: number, category: string, question: string, answer = '답변입니다.'): FaqHit => ({
  faq_id: `FAQ-${String(id).padStart(3, '0')}`,
  category,
  question,
  answer,
  score: 1 - id / 100,
});

const card = (name: string, overrides: Partial<CardInfo> = {}): CardInfo => ({
  name,
  type: 'credit',
  annual_fee_domestic: 12_000,
  annual_fee_overseas: 15_000,
  summary: `${name} 요약`,
  benefits: [`${name} 혜택 1`, `${name} 혜택 2`],
  tags: [],
  score: 1,
  ...overrides,
});

describe('FAQ results', () => {
  const hits = [
    faq(58, '분실/도난', '카드를 잃어버렸을 때 어떻게 신고하나요?', '우리WON카드 앱에서 분실신고를 하세요.'),
    faq(63, '분실/도난', '분실신고 후 재발급 카드는 언제 받을 수 있나요?'),
    faq(59, '분실/도난', '분실신고한 카드를 다시 찾으면 사용할 수 있나요?'),
    faq(60, '분실/도난', '분실한 카드로 누군가 결제했다면 보상받을 수 있나요?'),
  ];

  it('answers in the seed format with the next best as related questions', () => {
    expect(faqFields(hits)).toEqual({
      message: '[분실/도난]\n\n질문: 카드를 잃어버렸을 때 어떻게 신고하나요?\n\n답변: 우리WON카드 앱에서 분실신고를 하세요.',
      login_required: false,
      related_questions: [
        '분실신고 후 재발급 카드는 언제 받을 수 있나요?',
        '분실신고한 카드를 다시 찾으면 사용할 수 있나요?',
        '분실한 카드로 누군가 결제했다면 보상받을 수 있나요?',
      ],
      tool_name: 'query_faq_database',
    });
  });

  it('leaves related questions out when there is a single hit', () => {
    expect(faqFields(hits.slice(0, 1))).not.toHaveProperty('related_questions', expect.anything());
  });

  it('says so when nothing matched', () => {
    expect(faqFields([])).toEqual({ message: NO_FAQ_MESSAGE, login_required: false, tool_name: 'query_faq_database' });
  });

  it('asks back with the best candidates when even the best is a guess', () => {
    const guesses = hits.map((hit) => ({ ...hit, score: FAQ_GUESS_SCORE / 2 }));
    expect(faqFields(guesses)).toEqual({
      message: ASK_BACK_MESSAGE,
      login_required: false,
      related_questions: guesses.slice(0, 3).map((hit) => hit.question),
      tool_name: 'query_faq_database',
    });
  });
});

describe('term comparison', () => {
  const term = (name: string, english: string, related: string[]): TermHit =>
    ({ term_id: `TERM-${name}`, term: name, english, definition: `${name}의 정의`, related_terms: related, score: 1 });

  it('defines both terms one after the other and offers their other related terms', () => {
    const fields = termComparisonFields([term('체크카드', 'Check card', ['신용카드', '소득공제']), term('신용카드', 'Credit card', ['체크카드', '결제일'])]);
    expect(fields).toEqual({
      message: '체크카드와 신용카드의 차이를 정리했어요.\n\n**체크카드** (Check card)\n\n체크카드의 정의\n\n**신용카드** (Credit card)\n\n신용카드의 정의',
      login_required: false,
      related_questions: ['소득공제란?', '결제일이란?'],
      tool_name: 'query_term_database',
    });
  });
});

describe('term results', () => {
  const revolving: TermHit = {
    term_id: 'TERM-004',
    term: '리볼빙',
    english: 'Revolving',
    definition: '결제할 금액의 일부만 내고 나머지는 다음 달로 넘기는 결제 방식입니다.',
    related_terms: ['최소결제비율', '이월잔액', '선결제'],
    score: 1,
  };

  it('defines the term and offers related terms as questions', () => {
    expect(termFields([revolving])).toEqual({
      message: '**리볼빙** (Revolving)\n\n결제할 금액의 일부만 내고 나머지는 다음 달로 넘기는 결제 방식입니다.',
      login_required: false,
      related_questions: ['최소결제비율이란?', '이월잔액이란?', '선결제란?'],
      tool_name: 'query_term_database',
    });
  });

  it('fills related questions from other hits and never repeats the term', () => {
    const lonely = { ...revolving, related_terms: ['리볼빙'] };
    const other = { ...revolving, term_id: 'TERM-030', term: '최소결제비율', english: null };
    expect(termFields([lonely, other])?.related_questions).toEqual(['최소결제비율이란?']);
  });

  it('has no answer without hits', () => {
    expect(termFields([])).toBeUndefined();
  });
});

describe('card results', () => {
  it('describes each named card in Markdown with the exact names in card_list', () => {
    const fields = cardDescriptionFields([card('카드의정석2', { type: 'check', annual_fee_domestic: 0, annual_fee_overseas: 0 })]);
    expect(fields.card_list).toEqual(['카드의정석2']);
    expect(fields.tool_name).toBe('get_card_description');
    expect(fields.message).toContain('### 카드의정석2');
    expect(fields.message).toContain('- 종류: 체크카드');
    expect(fields.message).toContain('- 연회비: 없음');
    expect(fields.message).toContain('- 카드의정석2 혜택 1');
  });

  it('compares several cards in a GFM table first', () => {
    const fields = cardDescriptionFields([card('카드의정석2'), card('카드의정석 EVERY DISCOUNT', { annual_fee_overseas: 12_000 })]);
    expect(fields.card_list).toEqual(['카드의정석2', '카드의정석 EVERY DISCOUNT']);
    expect(fields.message).toContain('| 카드 | 종류 | 연회비 | 대표 혜택 |');
    expect(fields.message).toContain('| 카드의정석2 | 신용카드 | 국내 12,000원 / 해외겸용 15,000원 | 카드의정석2 혜택 1 |');
    expect(fields.message).toContain('| 카드의정석 EVERY DISCOUNT | 신용카드 | 12,000원 |');
  });

  it('keeps a pipe inside a benefit from breaking the table', () => {
    const fields = cardRecommendationFields([card('A', { benefits: ['편의점 | 카페 할인'] })]);
    expect(fields.message).toContain('편의점 \\| 카페 할인');
  });

  it('recommends with a table, names and tool name', () => {
    const fields = cardRecommendationFields([card('위비트래블 체크카드'), card('트래블월렛 우리카드')]);
    expect(fields).toMatchObject({
      login_required: false,
      card_list: ['위비트래블 체크카드', '트래블월렛 우리카드'],
      tool_name: 'get_card_recommendation',
    });
    expect(fields.message).toContain('- **위비트래블 체크카드**: 위비트래블 체크카드 요약');
  });

  it('asks for more detail when no card matches', () => {
    expect(cardRecommendationFields([])).toEqual({
      message: NO_CARD_MATCH_MESSAGE,
      login_required: false,
      tool_name: 'get_card_recommendation',
    });
  });
});

describe('consumption results', () => {
  it('asks for a login with the persona service message', () => {
    const fields = consumptionFields({
      login_required: true, persona_id: null, cluster_label: null, cards: [], message: '로그인이 필요합니다.',
    });
    expect(fields).toEqual({ message: '로그인이 필요합니다.', login_required: true, card_list: undefined, tool_name: 'consumption_recommend' });
  });

  it('lists the recommended cards of a bound persona', () => {
    const fields = consumptionFields({
      login_required: false,
      persona_id: 3,
      cluster_label: '해외 활동형',
      cards: [{ name: '위비트래블 체크카드', reason: '해외 결제' }, { name: 'ROYAL BLUE MILEAGE', reason: '마일리지' }],
      message: '**김우리** 님의 소비를 분석했어요.',
    });
    expect(fields).toEqual({
      message: '**김우리** 님의 소비를 분석했어요.',
      login_required: false,
      card_list: ['위비트래블 체크카드', 'ROYAL BLUE MILEAGE'],
      tool_name: 'consumption_recommend',
    });
  });
});
