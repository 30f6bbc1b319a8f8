import { UNAVAILABLE_MESSAGE } from '@chatbot/proto';
import type { RunningService } from '@chatbot/testkit';
import { newSessionId, startHarness, type DispatchHarness } from '../test/harness';

let harness: DispatchHarness;
let worker: RunningService;
let counter = 0;

beforeAll(async () => {
  // A gateway holds the sockets that make a session live, which a login needs.
  harness = await startHarness({ gateway: true });
  worker = await harness.startWorker();
});

afterAll(async () => {
  await harness?.close();
});

async function ask(text: string, sessionId = newSessionId()) {
  const messageId = `m-${(counter += 1)}`;
  await harness.publishJob(sessionId, messageId, text);
  return { sessionId, messageId, reply: await harness.candidateFor(messageId) };
}

describe('retrieval mode (no LLM_BASE_URL)', () => {
  it('reports its mode in /healthz', async () => {
    const health = (await (await fetch(`http://127.0.0.1:${worker.ports['ops']}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', service: 'llm-dispatch', mode: 'retrieval' });
  });

  it('answers a spending recommendation without a persona with a login request', async () => {
    const { sessionId, messageId, reply } = await ask('내 소비 패턴에 맞는 카드를 추천해줘');
    // persona's own answer for a session nobody logged in on, which the worker relays
    const persona = await harness.bus.request('recommend', { session_id: sessionId });
    expect(persona).toMatchObject({ login_required: true, message: expect.stringContaining('로그인') });
    expect(reply).toMatchObject({
      reply_id: `reply:${sessionId}:${messageId}`,
      session_id: sessionId,
      kind: 'answer',
      prompt_message_id: messageId,
      source: 'llm-dispatch',
      answer: { message: persona.message, login_required: true, tool_name: 'consumption_recommend' },
    });
    expect(reply.answer.card_list).toBeUndefined();
    expect(harness.calls).toContainEqual({ key: 'recommend', payload: { session_id: sessionId } });
  });

  it("recommends from the spending of the session's persona", async () => {
    const sessionId = newSessionId();
    await harness.login(sessionId, 4); // persona D: spends abroad
    const { reply } = await ask('내 소비 패턴에 맞는 카드를 추천해줘', sessionId);
    expect(reply.answer).toMatchObject({
      login_required: false,
      card_list: ['트래블월렛 우리카드', '위비트래블 체크카드'],
      tool_name: 'consumption_recommend',
    });
    expect(reply.answer.message).toContain('해외 활동형');
  });

  it('recommends cards for a described need with exact names and a table', async () => {
    const { reply } = await ask('편의점/카페/배달 위주로 할인 많이 받는 카드 추천해줘.');
    expect(reply.answer.tool_name).toBe('get_card_recommendation');
    expect(reply.answer.card_list).toEqual(expect.arrayContaining(['카드의정석 오하CHECK']));
    expect(reply.answer.message).toContain('| 카드 | 종류 | 연회비 | 대표 혜택 |');
    const travel = await ask('내년에 일본 여행 갈건데, 여행 위주로 할인을 많이 받을 수 있는 카드를 추천해줘');
    expect(travel.reply.answer.tool_name).toBe('get_card_recommendation');
    expect(travel.reply.answer.card_list).toEqual(expect.arrayContaining(['트래블월렛 우리카드']));
  });

  it('answers a request for a card with the FAQ that asks for that card in so many words', async () => {
    const { reply } = await ask('해외여행 카드 추천해줘');
    expect(reply.answer.tool_name).toBe('query_faq_database');
    expect(reply.answer.message).toContain('질문: 해외여행 갈 때 쓰기 좋은 카드는 무엇인가요?');
  });

  it('describes the cards a message names', async () => {
    const { reply } = await ask('카드의 정석2와 카드의정석 EVERY 1 혜택 알려줘');
    // "카드의정석 EVERY 1" names no product: the one card named is described, not its family
    expect(reply.answer).toMatchObject({
      tool_name: 'get_card_description',
      card_list: ['카드의정석2'],
      login_required: false,
    });
    expect(reply.answer.message).toContain('### 카드의정석2');
  });

  it.each([
    ['카드를 잃어버렸을 때 어떻게 해야 하나요?', '질문: 카드를 잃어버렸을 때 어떻게 신고하나요?'],
    ['해외에서 결제가 안 되는데 왜 그런가요?', '질문: 해외에서 카드를 사용하려면 어떻게 해야 하나요?'],
    ['카드 한도 좀 늘리고 싶어요', '질문: 카드 한도를 올리려면 어떻게 해야 하나요?'],
    ['카드값 빠져나가는 통장을 다른 걸로 바꾸고 싶어요', '질문: 카드대금 결제계좌를 변경하려면 어떻게 하나요?'],
  ])('answers "%s" with the FAQ it means', async (text, question) => {
    const { reply } = await ask(text);
    expect(reply.answer.tool_name).toBe('query_faq_database');
    expect(reply.answer.message).toContain(question);
  });

  it('describes a named card alone, not the family it belongs to', async () => {
    const { reply } = await ask('카드의정석 TEN 혜택 알려줘');
    expect(reply.answer).toMatchObject({ tool_name: 'get_card_description', card_list: ['카드의정석 TEN'] });
  });

  it('compares two cards a message names, even where the names are shortened', async () => {
    const { reply } = await ask('오하체크랑 칼퇴체크 차이가 뭐예요?');
    expect(reply.answer).toMatchObject({ tool_name: 'get_card_description', card_list: ['카드의정석 오하CHECK', '카드의정석 칼퇴 CHECK'] });
    expect(reply.answer.message).toContain('| 카드 | 종류 | 연회비 | 대표 혜택 |');
  });

  it('compares two terms with both definitions', async () => {
    const { reply } = await ask('체크카드와 신용카드 차이가 뭐예요?');
    expect(reply.answer.tool_name).toBe('query_term_database');
    expect(reply.answer.message).toMatch(/\*\*체크카드\*\* \(Check card\)[\s\S]+\*\*신용카드\*\* \(Credit card\)/);
  });

  it('asks back with candidates instead of answering a question it barely matches', async () => {
    const { reply } = await ask('카드 관련 문의');
    expect(reply.answer.message).not.toContain('답변:');
    expect(reply.answer.related_questions?.length ?? 0).toBeGreaterThan(0);
  });

  it('answers a FAQ in the seed format with related questions', async () => {
    const { reply } = await ask('카드를 잃어버렸어요');
    expect(reply.answer.tool_name).toBe('query_faq_database');
    expect(reply.answer.message).toMatch(/^\[분실\/도난\]\n\n질문: .+\n\n답변: .+/s);
    expect(reply.answer.related_questions?.length).toBeGreaterThanOrEqual(2);
    expect(reply.answer.related_questions?.length).toBeLessThanOrEqual(3);
  });

  it('answers typing first on the live subject', async () => {
    const { sessionId } = await ask('카드를 잃어버렸어요');
    expect(harness.live.filter((frame) => frame.session === sessionId)[0]).toMatchObject({ type: 'typing' });
  });

  it('replies with one failure when a tool service is down, and moves on', async () => {
    const { reply, messageId } = await harness.whileDown('qna-cache', () => ask('리볼빙이 뭐야?'));
    expect(reply).toMatchObject({
      kind: 'failure',
      error_code: 'E5002',
      answer: { message: UNAVAILABLE_MESSAGE, login_required: false },
    });
    const next = await ask('카드를 잃어버렸어요');
    expect(next.reply.kind).toBe('answer');
    expect(harness.candidates.filter((c) => c.reply.prompt_message_id === messageId)).toHaveLength(1);
  });

  it('answers the queue depth request from the consumer info', async () => {
    const depth = await harness.bus.request('queueDepth', {}, { timeoutMs: 2_000 });
    expect(depth).toEqual({ consumer: 'llm-dispatch', pending: 0, ack_pending: 0, redelivered: expect.any(Number), waiting: expect.any(Number) });
  });

  it('exposes its metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${worker.ports['ops']}/metrics`)).text();
    expect(text).toMatch(/chatbot_llm_jobs_total\{[^}]*outcome="answered"[^}]*\} [1-9]/);
    expect(text).toMatch(/chatbot_llm_jobs_total\{[^}]*outcome="failed"[^}]*\} 1\n/);
    expect(text).toContain('chatbot_llm_queue_pending');
    expect(text).toMatch(/chatbot_llm_tool_calls_total\{[^}]*tool="query_faq_database"[^}]*\} [1-9]/);
  });
});
