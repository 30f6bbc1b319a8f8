import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sequence, startStubLlm, type RunningService, type StubLlm } from '@chatbot/testkit';
import { eventually, logEntries, newSessionId, startHarness, waitUntil, type DispatchHarness } from '../test/harness';

let harness: DispatchHarness;
let worker: RunningService;
let stub: StubLlm;
let dir: string;
let counter = 0;

const PERSONA_PROMPT = '이 고객은 해외 활동형 소비자입니다. 해외 혜택을 먼저 안내하세요.';

beforeAll(async () => {
  stub = await startStubLlm();
  dir = await mkdtemp(join(tmpdir(), 'llm-dispatch-itest-'));
  const personaFile = join(dir, 'personas.json');
  await writeFile(personaFile, JSON.stringify({ 3: PERSONA_PROMPT }));
  harness = await startHarness({
    gateway: true, // holds the sockets that make a session live, which persona's binding and login need
    chatLogEnv: { HISTORY_TURNS: '10' }, // jobs carry their history here; system-tests/llm-streaming covers the default
    workerEnv: {
      LLM_BASE_URL: stub.url,
      LLM_MODEL: 'stub-chat',
      LLM_BACKOFF_BASE_MS: '10',
      LLM_BACKOFF_MAX_MS: '50',
      LLM_PERSONA_PROMPTS_FILE: personaFile,
      HISTORY_TIMEOUT_MS: '500',
    },
  });
  worker = await harness.startWorker();
});

afterAll(async () => {
  await harness?.close();
  await stub?.close();
  await rm(dir, { recursive: true, force: true });
});

async function ask(text: string, sessionId = newSessionId()) {
  const messageId = `m-${(counter += 1)}`;
  const firstRequest = stub.requests.length;
  await harness.publishJob(sessionId, messageId, text);
  const reply = await harness.candidateFor(messageId);
  return { sessionId, messageId, reply, requests: stub.requests.slice(firstRequest) };
}

type WireMessage = { role: string; content: string | null; tool_call_id?: string; tool_calls?: unknown[] };
const messagesOf = (request: { messages?: unknown[] } | undefined) => (request?.messages ?? []) as WireMessage[];

describe('llm mode (LLM_BASE_URL set)', () => {
  it('reports the mode and model in /healthz', async () => {
    const health = (await (await fetch(`http://127.0.0.1:${worker.ports['ops']}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ mode: 'llm', model: 'stub-chat', llm_circuit: 'closed' });
    expect(logEntries(worker).find((entry) => entry['msg'] === 'answer mode: llm')).toMatchObject({ mode: 'llm', system_prompt: 'default' });
  });

  it('answers with the model text and the card list of an incremental tool call', async () => {
    const text = '편의점과 카페 할인이 많은 카드를 골라 봤어요. 전월실적 조건을 꼭 확인해 주세요.';
    stub.setScript(sequence([
      { toolCallIncremental: { name: 'get_card_recommendation', arguments: { need: '편의점 카페 배달 할인' } }, argumentFragments: 4 },
      { text },
    ]));
    const { reply, requests, sessionId } = await ask('편의점/카페/배달 위주로 할인 많이 받는 카드 추천해줘.');
    expect(reply).toMatchObject({ kind: 'answer', source: 'llm-dispatch', answer: { message: text, tool_name: 'get_card_recommendation', login_required: false } });
    expect(reply.answer.card_list).toEqual(expect.arrayContaining(['카드의정석 오하CHECK']));
    expect(reply.usage?.total_tokens).toBeGreaterThan(0);
    expect(requests).toHaveLength(2);
    // the five seed tools and the handoff tool
    expect((requests[0]?.tools as Array<{ function: { name: string } }> | undefined)?.map((t) => t.function.name)).toEqual([
      'get_card_description', 'get_card_recommendation', 'consumption_recommend', 'query_faq_database', 'query_term_database', 'escalate_to_human',
    ]);
    expect(harness.calls).toContainEqual({ key: 'cardRecommend', payload: { query: '편의점 카페 배달 할인', limit: 3 } });
    const [, , assistant, tool] = messagesOf(requests[1]);
    expect(assistant).toMatchObject({ role: 'assistant', tool_calls: [expect.objectContaining({ type: 'function' })] });
    expect(tool?.role).toBe('tool');
    expect(tool?.content).toContain('카드의정석 오하CHECK');
    expect(harness.live.filter((frame) => frame.session === sessionId).length).toBeGreaterThan(1);
  });

  it('streams typing, then the first token alone, then the rest joined into fewer deltas that add up to the answer', async () => {
    const text = '리볼빙은 이번 달 결제 금액의 일부만 먼저 내고 나머지는 다음 달로 넘겨서 나누어 갚는 방식이에요. 수수료가 붙으니 꼭 필요할 때만 쓰세요.';
    const tokens = text.match(/\s*\S+/g)!; // how the stub splits it: one chunk per word
    stub.setScript({ text, tokenDelayMs: 0 });
    const { reply, sessionId, messageId } = await ask('리볼빙 쉽게 설명해줘');
    const frames = harness.live.filter((frame) => frame.session === sessionId);
    expect(frames[0]).toEqual({ type: 'typing', message_id: messageId, session: sessionId });
    const deltas = frames.slice(1).map((frame) => (frame.type === 'delta' ? frame : undefined));
    expect(deltas.map((delta) => delta?.index)).toEqual(deltas.map((_, i) => i));
    expect(deltas[0]?.text).toBe(tokens[0]);
    expect(deltas.map((delta) => delta?.text).join('')).toBe(text);
    expect(deltas.length).toBeLessThan(tokens.length);
    expect(reply.answer).toEqual({ message: text, login_required: false });
  });

  it('runs a one-shot (Ollama-style) tool call', async () => {
    stub.setScript(sequence([
      { toolCallOneShot: { name: 'query_term_database', arguments: { term: '리볼빙' } } },
      { text: '리볼빙은 일부만 결제하고 나머지를 이월하는 제도예요.' },
    ]));
    const { reply } = await ask('리볼빙이 뭐야?');
    expect(reply.answer).toMatchObject({
      message: '리볼빙은 일부만 결제하고 나머지를 이월하는 제도예요.',
      tool_name: 'query_term_database',
      related_questions: ['최소결제비율이란?', '이월잔액이란?', '선결제란?'],
    });
  });

  it('sends invalid tool arguments back to the model as a tool error', async () => {
    stub.setScript(sequence([
      { toolCallIncremental: { id: 'call_bad', name: 'query_faq_database', arguments: { q: '분실' } } },
      { text: '분실 신고는 앱이나 고객센터에서 하실 수 있어요.' },
    ]));
    const { reply, requests } = await ask('카드를 잃어버렸어요');
    const tool = messagesOf(requests[1]).find((message) => message.role === 'tool');
    expect(tool?.tool_call_id).toBe('call_bad');
    expect(JSON.parse(tool?.content ?? '{}')).toMatchObject({ error: 'invalid arguments', details: [expect.stringMatching(/^question: /)] });
    expect(reply.answer).toEqual({ message: '분실 신고는 앱이나 고객센터에서 하실 수 있어요.', login_required: false });
  });

  it('uses the job session for consumption_recommend, whatever the model says', async () => {
    stub.setScript(sequence([
      { toolCallIncremental: { name: 'consumption_recommend', arguments: { session_id: '00000000-0000-4000-8000-000000000000' } } },
      { text: '소비 데이터 기반 추천을 받으려면 먼저 로그인해 주세요.' },
    ]));
    const { reply, sessionId } = await ask('내 소비 패턴에 맞는 카드를 추천해줘');
    expect(harness.calls.filter((call) => call.key === 'recommend').at(-1)?.payload).toEqual({ session_id: sessionId });
    expect(reply.answer).toMatchObject({ login_required: true, tool_name: 'consumption_recommend' });
  });

  it('remembers earlier turns, and prompts with the persona of the session', async () => {
    const sessionId = newSessionId();
    await harness.login(sessionId, 3);
    stub.setScript({ text: '위비트래블 체크카드를 추천드려요.' });
    const earlier = await ask('해외여행 카드 추천해줘', sessionId);
    await harness.answerStored(sessionId, earlier.messageId);
    stub.setScript({ text: '위비트래블 체크카드는 연회비가 없어요.' });
    const { requests } = await ask('그 카드 연회비는?', sessionId);
    const messages = messagesOf(requests[0]);
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[0]?.content).toContain(PERSONA_PROMPT);
    expect(messages[2]?.content).toBe('위비트래블 체크카드를 추천드려요.');
    expect(messages[3]?.content).toBe('그 카드 연회비는?');
  });

  it('asks for the session persona once while it is fresh, and again once a login shows in the history', async () => {
    const sessionId = newSessionId();
    await harness.connect(sessionId); // live, nobody logged in: persona answers null
    const bindingCalls = () =>
      harness.calls.filter((call) => call.key === 'binding' && (call.payload as { session_id: string }).session_id === sessionId).length;
    stub.setScript({ text: '네, 도와드릴게요.' });
    await ask('카드 추천해 줘', sessionId);
    await ask('연회비는 얼마예요?', sessionId);
    expect(bindingCalls()).toBe(1);
    // The user logs in: persona binds the session and pushes a recommendation, which chat-log lists.
    await harness.login(sessionId, 3);
    const { requests } = await ask('해외에서 쓰기 좋은 카드는?', sessionId);
    expect(bindingCalls()).toBeGreaterThanOrEqual(2);
    expect(messagesOf(requests[0])[0]?.content).toContain(PERSONA_PROMPT);
  });

  // The history is read when the message is stored; a message sent before the previous answer came
  // asks chat-log again when its turn comes, so the model sees the answer it follows up on.
  it('answers a message sent ahead of the previous answer with that answer in its memory', async () => {
    const sessionId = newSessionId();
    const [first, second] = [`m-${(counter += 1)}`, `m-${(counter += 1)}`];
    stub.setScript((request) =>
      messagesOf(request).at(-1)?.content === '첫 질문' ? { text: '첫 답변입니다.', ttftMs: 400 } : { text: '둘째 답변입니다.' });
    const before = stub.requests.length;
    await harness.publishJob(sessionId, first, '첫 질문');
    await harness.publishJob(sessionId, second, '둘째 질문');
    await waitUntil(() => stub.requests.length > before, 10_000, 'the first question at the model');
    await harness.candidateFor(second);
    const request = stub.requests.slice(before).find((r) => messagesOf(r).at(-1)?.content === '둘째 질문');
    expect(messagesOf(request).map((m) => m.content)).toEqual([expect.any(String), '첫 질문', '첫 답변입니다.', '둘째 질문']);
  });

  it('counts a job resent under the same message id after the de-duplication window as another attempt', async () => {
    const sessionId = newSessionId();
    const messageId = `m-${(counter += 1)}`;
    const metric = async () => {
      const text = await (await fetch(`http://127.0.0.1:${worker.ports['ops']}/metrics`)).text();
      return Number(/chatbot_llm_redeliveries_total\{[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    stub.setScript({ text: '다시 답변드려요.' });
    const redeliveries = await metric();
    // The job alone, no user message stored: chat-log has released no answer to it, so the worker
    // does not drop the resend as already answered (what it does once chat-log has released one).
    const job = { session_id: sessionId, message_id: messageId, text: '카드 추천 좀', received_at: new Date().toISOString() };
    await harness.bus.publish('llmJob', sessionId, job, { msgId: `job:${sessionId}:${messageId}`, correlationId: 'first' });
    await harness.candidateFor(messageId);
    await harness.bus.publish('llmJob', sessionId, job, { msgId: `${sessionId}:${messageId}:again`, correlationId: 'resend' });
    await eventually(metric, (count) => count === redeliveries + 1, 10_000, 'the second attempt');
    await eventually(() => harness.bus.request('queueDepth', {}), (depth) => depth.pending === 0 && depth.ack_pending === 0, 10_000, 'the job gone');
    expect(harness.candidates.filter((c) => c.reply.prompt_message_id === messageId)).toHaveLength(1);
  });

  it('answers with the history its job carries and asks chat-log for none', async () => {
    const sessionId = newSessionId();
    stub.setScript({ text: '네, 도와드릴게요.' });
    const earlier = await ask('이전 질문', sessionId);
    await harness.answerStored(sessionId, earlier.messageId);
    const historyCalls = () => harness.calls.filter((call) => call.key === 'history').length;
    await harness.callsSettled();
    const asked = historyCalls(); // the test's own look-ups so far
    const { reply, requests } = await ask('카드 추천 좀', sessionId);
    expect(reply.kind).toBe('answer');
    expect(messagesOf(requests[0]).map((m) => m.content)).toEqual([expect.any(String), '이전 질문', '네, 도와드릴게요.', '카드 추천 좀']);
    await harness.callsSettled();
    expect(historyCalls()).toBe(asked);
  });

  it('retries a rate-limited call and answers', async () => {
    stub.setScript(sequence([{ httpStatus: 429, retryAfterMs: 20 }, { text: '잠시 후 다시 연결되었어요.' }]));
    const { reply, requests } = await ask('안녕하세요');
    expect(requests).toHaveLength(2);
    expect(reply).toMatchObject({ kind: 'answer', answer: { message: '잠시 후 다시 연결되었어요.' } });
    const metrics = await (await fetch(`http://127.0.0.1:${worker.ports['ops']}/metrics`)).text();
    expect(metrics).toMatch(/chatbot_llm_retries_total\{[^}]*\} [1-9]/);
    expect(metrics).toMatch(/chatbot_llm_time_to_first_token_seconds_count\{[^}]*\} [1-9]/);
    expect(metrics).toMatch(/chatbot_llm_tokens_total\{[^}]*kind="completion"[^}]*\} [1-9]/);
  });

  it('ends a tool loop after LLM_MAX_TOOL_ROUNDS with a call without tools', async () => {
    stub.setScript((request) =>
      request.tools ? { toolCallIncremental: { name: 'query_faq_database', arguments: { question: '분실 신고' } } } : { text: '분실 신고 방법을 안내해 드렸어요.' });
    const { reply, requests } = await ask('카드 분실 신고');
    expect(requests.map((request) => Boolean(request.tools))).toEqual([true, true, true, false]);
    expect(reply.answer).toMatchObject({ message: '분실 신고 방법을 안내해 드렸어요.', tool_name: 'query_faq_database' });
  });
});
