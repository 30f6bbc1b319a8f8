import { join } from 'node:path';
import { loadCatalogue, type Catalogue } from '../catalogue.loader';
import { nameKeysOf, namedCards } from './card-name.matcher';
import { FaqRanker } from './faq.ranker';
import { containment, topicWords } from './korean.text';
import { canonical, loadSearchVocabulary, type SearchVocabulary } from './search.vocabulary';
import { matchTerms, namesOf } from './term.matcher';

/** The search over the real data files, without the database the repositories read them from. */
let catalogue: Catalogue;
let vocabulary: SearchVocabulary;
const dataDir = join(__dirname, '..', '..', 'data');

beforeAll(async () => {
  [catalogue, vocabulary] = await Promise.all([loadCatalogue(dataDir), loadSearchVocabulary(dataDir)]);
});

describe('Korean text', () => {
  it('keeps the topic words without their particles and endings', () => {
    expect(topicWords('카드를 잃어버렸어요')).toEqual(['카드', '잃어버렸']);
    expect(topicWords('결제일을 어떻게 변경하나요?')).toEqual(['결제일', '변경']);
  });

  it('finds a name held whole, or one letter off in a long enough Hangul name, never a different product', () => {
    expect(containment('전월실적', '전월실적이뭐예요')).toBe(1);
    expect(containment('위비트래블체크카드', '위비트레블체크카드')).toBeGreaterThan(0.9);
    expect(containment('실적', '실작')).toBe(0);
    expect(containment('카드의정석2', '카드의정석ten')).toBe(0);
    expect(containment('금리인하요구권', '금리인하요구권이뭔지')).toBe(1);
    expect(containment('전신환매도율', '환율이뭐예요')).toBe(0);
  });

  it("replaces customers' words by the catalogue's, inside words only from two characters up", () => {
    expect(canonical('카드 비번 까먹었어요', vocabulary)).toBe('카드 비밀번호 잊어버렸었어요');
    expect(canonical('한도올리고싶어요', vocabulary)).toBe('한도상향고싶어요');
    expect(canonical('카드 락 걸어주세요', vocabulary)).toBe('카드 정지 걸어주세요');
    expect(canonical('연락처 변경', vocabulary)).toBe('연락처 변경');
  });
});

describe('FAQ ranking', () => {
  const best = (query: string) => new FaqRanker(catalogue.faqs, vocabulary).rank(query, 3, 0.06)[0]?.row.faq_id;

  it.each([
    ['카드분실신고', 'FAQ-058'],
    ['카드 분실 신고', 'FAQ-058'],
    ['결재일 변경', 'FAQ-031'],
    ['할부 수수로 계산', 'FAQ-041'],
  ])('spacing, particles and typos do not change the answer: "%s" → %s', (query, faqId) => {
    expect(best(query)).toBe(faqId);
  });

  it('reads what a customer calls family, plastic, an app card or the middle of the night', () => {
    expect(best('와이프 카드 하나 더 만들고 싶어요')).toBe('FAQ-009');
    expect(best('플라스틱 말고 앱카드만 되나요')).toBe('FAQ-006');
    expect(best('새벽에 체크카드 결제가 안돼요')).toBe('FAQ-064');
  });

  it('scores the same whichever way the postings are walked: ties keep the id order', () => {
    const ranker = new FaqRanker(catalogue.faqs, vocabulary);
    const hits = ranker.rank('카드', 70, 0);
    expect(hits.every((hit, i) => i === 0 || hits[i - 1]!.score > hit.score || hits[i - 1]!.row.faq_id < hit.row.faq_id)).toBe(true);
  });

  it('scales a score so that unrelated text stays far below a real match', () => {
    const ranker = new FaqRanker(catalogue.faqs, vocabulary);
    expect(ranker.rank('오늘 날씨 어때', 3, 0.06)).toEqual([]);
    expect(ranker.rank('카드 해지 방법', 1, 0.06)[0]!.score).toBeGreaterThan(0.5);
  });
});

describe('term matching', () => {
  const terms = () => catalogue.terms.map((t) => ({ ...t, english: t.english ?? null }));

  it('knows the other names a definition gives', () => {
    expect(namesOf(terms().find((t) => t.term === '현금서비스')!)).toEqual(['현금서비스', 'cashadvance', '단기카드대출']);
  });

  it('puts a term inside a longer named term below it', () => {
    const found = matchTerms(terms(), '할부수수료란', vocabulary).sort((x, y) => y.score - x.score);
    expect(found.map((m) => [m.row.term, m.score])).toEqual([['할부수수료', 1], ['할부', 0.5]]);
  });
});

describe('card names', () => {
  const named = (text: string) => {
    const names = catalogue.cards.map((c) => c.name);
    return namedCards(nameKeysOf(names, vocabulary), text).map((m) => names[m.index]);
  };

  it.each([
    ['카드의정석 TEN 혜택 알려줘', ['카드의정석 TEN']],
    ['카드의정석 텐 연회비', ['카드의정석 TEN']],
    ['d4 카드의정석2 혜택', ['D4카드의정석Ⅱ']],
    ['오하체크랑 칼퇴체크 차이', ['카드의정석 오하CHECK', '카드의정석 칼퇴 CHECK']],
    ['크림 체크카드 캐시백', ['KREAM 체크카드']],
    ['넥센타이어 카드 혜택', ['넥센타이어 우리카드 Ⅱ']],
    ['카드의정석2랑 D4카드의정석2 차이', ['카드의정석2', 'D4카드의정석Ⅱ']],
    ['카드의정석 에브리 디스카운트 혜택', ['카드의정석 EVERY DISCOUNT']],
    ['에프씨 express 체크 혜택', ['FC EXPRESS 체크']],
    ['카드의정석 쇼핑+ 할인', ['카드의정석 SHOPPING+']],
    ['마일앤포인트 카드', ['우리카드 MILE&POINT']],
    ['e1카드 lpg 할인', ['E1 우리카드']],
  ])('"%s" names %j and nothing of the same family', (text, cards) => {
    expect(named(text).sort()).toEqual([...cards].sort());
  });

  it.each(['프리미엄 카드가 뭐예요', '포인트 많이 주는 카드', '체크카드 발급'])('"%s" names no card', (text) => {
    expect(named(text)).toEqual([]);
  });
});
