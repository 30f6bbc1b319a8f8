import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bus } from '@chatbot/bus';
import type { CardInfo, FaqHit, HistoryTurn, RecommendResult, RequestKey, TermHit } from '@chatbot/proto';

/**
 * Test doubles of the services llm-dispatch asks (qna-cache, persona, chat-log), answering over
 * the real bus from a slice of the real reference data, the way the owners do.
 */
interface ReferenceData {
  faqs: Array<Omit<FaqHit, 'score'> & { keywords: string[] }>;
  terms: Array<Omit<TermHit, 'score'>>;
  cards: Array<Omit<CardInfo, 'score'>>;
}

export const reference = JSON.parse(readFileSync(join(__dirname, 'reference-data.json'), 'utf8')) as ReferenceData;

export const LOGIN_REQUIRED_MESSAGE =
  '로그인이 필요합니다. 소비 내역을 바탕으로 카드를 추천해 드리려면 아래에서 페르소나를 선택해 주세요.';

const compact = (text: string) => text.normalize('NFKC').toLowerCase().replace(/\s+/g, '').replace(/ii/g, '2');

function bigrams(text: string): Set<string> {
  const chars = [...compact(text)];
  return new Set(chars.slice(1).map((char, i) => `${chars[i]}${char}`));
}

/** Share of the query's character pairs found in the document: crude, but ranks Korean well enough. */
function overlap(query: string, document: string): number {
  const wanted = bigrams(query);
  if (wanted.size === 0) return 0;
  const have = bigrams(document);
  return [...wanted].filter((pair) => have.has(pair)).length / wanted.size;
}

function ranked<T>(items: T[], score: (item: T) => number, limit: number): Array<T & { score: number }> {
  return items
    .map((item) => ({ ...item, score: score(item) }))
    .filter((item) => item.score > 0.15)
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
}

export interface ReferenceWorld {
  /** Session → persona bound by a login. */
  personas: Map<string, number>;
  /** Session → what chat-log has stored. */
  histories: Map<string, HistoryTurn[]>;
  /** When set, chat-log answers history requests this late (to act out a slow or dead chat-log). */
  historyDelayMs: number;
  /** Every request the doubles received, in order. */
  calls: Array<{ key: RequestKey; payload: unknown }>;
}

export function serveReferenceServices(bus: Bus, only?: RequestKey[]): ReferenceWorld {
  const world: ReferenceWorld = { personas: new Map(), histories: new Map(), historyDelayMs: 0, calls: [] };
  const serves = (key: RequestKey) => !only || only.includes(key);
  const record = (key: RequestKey, payload: unknown) => world.calls.push({ key, payload });
  if (serves('faqSearch')) bus.serve('faqSearch', async (q) => {
    record('faqSearch', q);
    const hits = ranked(reference.faqs, (f) => overlap(q.query, `${f.question} ${f.keywords.join(' ')}`), q.limit);
    return { hits: hits.map(({ keywords: _keywords, ...hit }) => hit) };
  });
  if (serves('termSearch')) bus.serve('termSearch', async (q) => {
    record('termSearch', q);
    return { hits: ranked(reference.terms, (t) => (compact(q.query).includes(compact(t.term)) ? 1 : overlap(q.query, t.term) * 0.9), q.limit) };
  });
  if (serves('cardDescribe')) bus.serve('cardDescribe', async (q) => {
    record('cardDescribe', q);
    return { cards: ranked(reference.cards, (c) => (compact(q.query).includes(compact(c.name)) ? 1 : 0), q.limit) };
  });
  if (serves('cardRecommend')) bus.serve('cardRecommend', async (q) => {
    record('cardRecommend', q);
    const tagScore = (c: ReferenceData['cards'][number]) => c.tags.filter((tag) => q.query.includes(tag)).length / 2;
    return { cards: ranked(reference.cards, (c) => tagScore(c) + overlap(q.query, c.benefits.join(' ')) * 0.1, q.limit) };
  });
  if (serves('recommend')) bus.serve('recommend', async (q) => {
    record('recommend', q);
    return recommendation(world.personas.get(q.session_id));
  });
  if (serves('binding')) bus.serve('binding', async (q) => {
    record('binding', q);
    return { persona_id: world.personas.get(q.session_id) ?? null };
  });
  if (serves('history')) bus.serve('history', async (q) => {
    record('history', q);
    if (world.historyDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, world.historyDelayMs));
    return { turns: (world.histories.get(q.session_id) ?? []).slice(-q.limit) };
  });
  return world;
}

function recommendation(personaId: number | undefined): RecommendResult {
  if (personaId === undefined) {
    return { login_required: true, persona_id: null, cluster_label: null, cards: [], message: LOGIN_REQUIRED_MESSAGE };
  }
  return {
    login_required: false,
    persona_id: personaId,
    cluster_label: '해외 활동형 (해외 결제 및 쇼핑 중심)',
    cards: [
      { name: '위비트래블 체크카드', reason: '해외 결제 수수료 면제' },
      { name: 'ROYAL BLUE MILEAGE', reason: '해외 이용금액 마일리지 적립' },
    ],
    message: '**김해외** 님의 최근 3개월 소비를 분석했어요.\n\n- 소비 유형: **해외 활동형**',
  };
}
