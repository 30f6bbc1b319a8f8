import { Client } from 'pg';
import { Bus } from '@chatbot/bus';
import { createLogger } from '@chatbot/runtime';
import { isolate, startService, waitFor, type RunningService, type TestEnv } from '@chatbot/testkit';
import faqs from '../data/faqs.json';
import terms from '../data/terms.json';
import cards from '../data/cards.json';

const logger = createLogger('qna-requests-test', 'silent');
let env: TestEnv;
let service: RunningService;
let bus: Bus;
let db: Client;

beforeAll(async () => {
  env = await isolate();
  service = await startService('qna-cache', env.env);
  bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'qna-requests-test', logger });
  db = new Client({ connectionString: env.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await service?.process.stop();
  await bus?.close();
  await db?.end();
  await env.cleanup();
});

const byViews = <T extends { views: number }>(id: (row: T) => string) => (x: T, y: T) =>
  y.views - x.views || id(x).localeCompare(id(y));

describe('top lists', () => {
  test('lists the most viewed FAQs and terms first', async () => {
    const faqTop = await bus.request('faqTop', { top_k: 3 });
    const expectedFaqs = [...faqs].sort(byViews((f) => f.faq_id)).slice(0, 3);
    expect(faqTop.items).toEqual(expectedFaqs.map(({ faq_id, question, answer, views }) => ({ faq_id, question, answer, views })));
    const termTop = await bus.request('termTop', { top_k: 6 });
    const expectedTerms = [...terms].sort(byViews((t) => t.term_id)).slice(0, 6);
    expect(termTop.items).toEqual(expectedTerms.map(({ term_id, term, definition }) => ({ term_id, term, definition })));
  });

  test('reads views fresh and breaks ties by id', async () => {
    await db.query(`UPDATE qna_cache.faqs SET views = 100000 WHERE faq_id IN ('FAQ-070', 'FAQ-009')`);
    const { items } = await bus.request('faqTop', { top_k: 3 });
    expect(items.map((f) => f.faq_id)).toEqual(['FAQ-009', 'FAQ-070', [...faqs].sort(byViews((f) => f.faq_id))[0].faq_id]);
  });

  test.each([0, 101, 2.5, -1])('rejects top_k %p as an invalid request', async (topK) => {
    await expect(bus.request('faqTop', { top_k: topK })).rejects.toMatchObject({ code: 'E4002' });
    await expect(bus.request('termTop', { top_k: topK })).rejects.toMatchObject({ code: 'E4002' });
  });
});

describe('FAQ search', () => {
  test.each([
    ['카드를 잃어버렸어요', 'FAQ-058'],
    ['카드 분실 신고', 'FAQ-058'],
    ['해외에서 카드 잃어버림', 'FAQ-061'],
    ['리볼빙 수수료', 'FAQ-021'],
    ['할부 수수료 계산', 'FAQ-041'],
    ['비밀번호 까먹었어요', 'FAQ-011'],
    ['해외 결제 막고 싶어', 'FAQ-055'],
    ['체크카드 소득공제', 'FAQ-065'],
    ['편의점 할인 카드', 'FAQ-002'],
  ])('"%s" finds %s first', async (query, faqId) => {
    const { hits } = await bus.request('faqSearch', { query, limit: 5 });
    expect(hits[0].faq_id).toBe(faqId);
    expect(hits[0].score).toBeGreaterThan(hits[1]?.score ?? 0);
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((x, y) => y - x));
  });

  test('the loss FAQ comes back whole, in the 분실/도난 category', async () => {
    const { hits } = await bus.request('faqSearch', { query: '카드를 잃어버렸어요', limit: 1 });
    const faq = faqs.find((f) => f.faq_id === 'FAQ-058')!;
    expect(hits).toEqual([{ faq_id: faq.faq_id, category: '분실/도난', question: faq.question, answer: faq.answer, score: expect.any(Number) }]);
  });

  test('small talk finds no FAQ', async () => {
    expect((await bus.request('faqSearch', { query: '오늘 날씨 어때', limit: 5 })).hits).toEqual([]);
  });
});

describe('term search', () => {
  test.each([
    ['리볼빙이 뭐야', '리볼빙'],
    ['revolving', '리볼빙'],
    ['할부수수료란', '할부수수료'],
    ['전월실적 뜻', '전월실적'],
    ['공항 라운지', '공항라운지'],
    ['cash advance', '현금서비스'],
    ['DCC가 뭔가요', 'DCC'],
  ])('"%s" finds %s first', async (query, term) => {
    const { hits } = await bus.request('termSearch', { query, limit: 5 });
    expect(hits[0].term).toBe(term);
    expect(hits[0].score).toBeGreaterThan(hits[1]?.score ?? 0);
  });

  test('returns the term with its English name and related terms', async () => {
    const { hits } = await bus.request('termSearch', { query: '리볼빙이 뭐야', limit: 1 });
    const term = terms.find((t) => t.term === '리볼빙')!;
    expect(hits).toEqual([{ term_id: term.term_id, term: '리볼빙', english: term.english, definition: term.definition, related_terms: term.related_terms, score: expect.any(Number) }]);
  });

  test('a question about two terms ranks both on top', async () => {
    const { hits } = await bus.request('termSearch', { query: '현금서비스랑 카드론 차이', limit: 5 });
    expect(hits.slice(0, 2).map((h) => h.term).sort()).toEqual(['카드론', '현금서비스']);
  });
});

describe('card description', () => {
  test.each([
    ['카드의 정석2 혜택 알려줘', '카드의정석2'],
    ['카드의정석 TEN 연회비', '카드의정석 TEN'],
    ['D4 카드의 정석 2', 'D4카드의정석Ⅱ'],
    ['카드의정석 오하체크 어때요', '카드의정석 오하CHECK'],
    ['the opus silver', 'the OPUS silver'],
    ['로얄블루 1000 카드', '로얄블루1000카드'],
  ])('"%s" describes %s first', async (query, name) => {
    const { cards } = await bus.request('cardDescribe', { query, limit: 3 });
    expect(cards[0]).toMatchObject({ name, score: 1 });
    expect(cards[1]?.score ?? 0).toBeLessThan(1);
  });

  test('returns the whole card', async () => {
    const { cards } = await bus.request('cardDescribe', { query: '카드의정석2', limit: 1 });
    expect(cards).toEqual([{
      name: '카드의정석2', type: 'credit', annual_fee_domestic: expect.any(Number), annual_fee_overseas: expect.any(Number),
      summary: expect.any(String), benefits: expect.arrayContaining([expect.any(String)]),
      tags: expect.arrayContaining(['편의점', '카페', '배달']), score: 1,
    }]);
  });

  test('a text naming no card describes none', async () => {
    expect((await bus.request('cardDescribe', { query: '오늘 날씨 어때', limit: 3 })).cards).toEqual([]);
  });
});

describe('card recommendation', () => {
  test('convenience store, cafe and delivery needs bring cards carrying all three first', async () => {
    const { cards } = await bus.request('cardRecommend', { query: '편의점/카페/배달 위주로 할인', limit: 4 });
    expect(cards).toHaveLength(4);
    for (const card of cards) expect(card.tags).toEqual(expect.arrayContaining(['편의점', '카페', '배달']));
  });

  test('a trip to Japan brings the Japan travel card first, then other travel cards', async () => {
    const { cards } = await bus.request('cardRecommend', { query: '일본 여행', limit: 5 });
    expect(cards[0].name).toBe('위비트래블 J 체크카드');
    for (const card of cards) expect(card.tags).toContain('여행');
  });

  test('해외여행 recommends cards tagged for travel abroad', async () => {
    const { cards } = await bus.request('cardRecommend', { query: '해외여행 갈 때 쓸 카드 추천해줘', limit: 5 });
    expect(cards).toHaveLength(5);
    for (const card of cards) expect(card.tags).toEqual(expect.arrayContaining(['해외', '여행']));
  });

  test.each([
    ['커피 할인 많이 되는 카드', '카페'],
    ['넷플릭스 같은 구독 서비스', '구독'],
    ['주유 할인', '주유'],
    ['정수기 렌탈료', '렌탈'],
  ])('"%s" recommends %s cards first', async (query, tag) => {
    const { cards } = await bus.request('cardRecommend', { query, limit: 3 });
    expect(cards.length).toBeGreaterThan(0);
    for (const card of cards) expect(card.tags).toContain(tag);
  });
});

describe('card names', () => {
  test('are every card of the catalogue, as the database holds them', async () => {
    const { names } = await bus.request('cardNames', {});
    expect([...names].sort()).toEqual(cards.map((card) => card.name).sort());
    await db.query(`INSERT INTO qna_cache.cards (product_code, name, type, annual_fee_domestic, annual_fee_overseas, summary, name_key, search_text)
                    VALUES ('TEST-1', '테스트 전용 카드', 'credit', 0, 0, '', '테스트전용카드', '')`);
    try {
      expect((await bus.request('cardNames', {})).names).toContain('테스트 전용 카드');
    } finally {
      await db.query(`DELETE FROM qna_cache.cards WHERE product_code = 'TEST-1'`);
    }
  });

  test('a qna-cache that has loaded its catalogue says so, with the number of cards', async () => {
    const heard: Array<{ cards: number }> = [];
    const watch = bus.subscribe('catalogueChanged', '', (event) => void heard.push(event));
    await bus.flush();
    const replica = await startService('qna-cache', env.env);
    try {
      await waitFor('the catalogue announced', () => heard.length > 0, 10_000);
      expect(heard[0]).toEqual({ cards: cards.length, changed_at: expect.any(String) });
    } finally {
      watch.unsubscribe();
      await replica.process.stop();
    }
  });
});
