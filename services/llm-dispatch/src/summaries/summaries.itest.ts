import type { ChatStatusChangedV1, ChatSummary, ConversationStatus } from '@chatbot/proto';
import { sequence, startStubLlm, type RunningService, type StubLlm } from '@chatbot/testkit';
import { eventually, logEntries, newSessionId, startHarness, type DispatchHarness } from '../../test/harness';

/**
 * Summaries at a conversation's transitions: the status change is published as chat-log publishes
 * it, chat-log queues one summary job per transition, a real worker writes it (with the stub model,
 * then without a model) and chat-log keeps it. What the stub received shows how often the model was asked.
 */
let harness: DispatchHarness;
let stub: StubLlm;
let worker: RunningService;
let counter = 0;

const SUMMARY = { issue: '해외 결제 수수료 환불 요청', tried: '수수료 기준을 안내함', open: '환불 가능 여부 확인', category: 'refund' };

beforeAll(async () => {
  stub = await startStubLlm();
  harness = await startHarness({
    workerEnv: { LLM_MODEL: 'stub-chat', LLM_MAX_RETRIES: '0', SUMMARY_MAX_ATTEMPTS: '3', SUMMARY_RETRY_DELAY_MS: '100', LLM_BREAKER_FAILURES: '100' },
  });
  worker = await harness.startWorker({ LLM_BASE_URL: stub.url });
});
afterAll(async () => {
  await harness?.close();
  await stub?.close();
});

const isSummaryRequest = (request: { messages?: unknown[] }) =>
  ((request.messages ?? []) as Array<{ role: string; content: string }>)[0]?.content.startsWith('You summarise') ?? false;

/** A conversation of two answered questions; the stub answers questions and summaries apart. */
async function conversation(questions: string[]): Promise<string> {
  const sessionId = newSessionId();
  for (const question of questions) {
    const messageId = `s-${(counter += 1)}`;
    await harness.publishJob(sessionId, messageId, question);
    await harness.answerStored(sessionId, messageId);
  }
  return sessionId;
}

async function changeStatus(sessionId: string, from: ConversationStatus, to: ConversationStatus, version: number, msgId = `${sessionId}:status:${version}`) {
  const event: ChatStatusChangedV1 = { session_id: sessionId, from, to, version, at: new Date().toISOString() };
  await harness.bus.publish('chatStatusChanged', sessionId, event, { msgId });
}

const summariesOf = async (sessionId: string) => (await harness.bus.request('summaryGet', { session_id: sessionId })).history;
const waitForSummaries = (sessionId: string, count: number): Promise<ChatSummary[]> =>
  eventually(() => summariesOf(sessionId), (list) => list.length >= count, 15_000, `${count} summaries of ${sessionId}`);

/** The stub answers a summary request with `summary` and any other request with a plain answer. */
function script(summary: Parameters<typeof sequence>[0][number]) {
  const summaries = typeof summary === 'function' ? summary : () => summary;
  let summaryCalls = 0;
  stub.setScript((request) => (isSummaryRequest(request) ? summaries(request, summaryCalls++) : { text: '안내해 드렸어요. 더 궁금한 점이 있으신가요?' }));
}

describe('with a model', () => {
  it('writes one summary when the conversation enters waiting, from the model, with the transcript it was given', async () => {
    script({ text: JSON.stringify(SUMMARY) });
    const sessionId = await conversation(['해외 결제 수수료가 너무 많이 나왔어요', '환불 받을 수 있나요?']);
    const before = stub.requests.filter(isSummaryRequest).length;
    await changeStatus(sessionId, 'bot', 'waiting', 1);
    const [summary] = await waitForSummaries(sessionId, 1);
    expect(summary).toEqual({ session_id: sessionId, trigger: 'waiting', version: 1, source: 'llm', ...SUMMARY, created_at: expect.any(String) });
    const asked = stub.requests.filter(isSummaryRequest).slice(before);
    expect(asked).toHaveLength(1);
    const transcript = (asked[0]!.messages as Array<{ content: string }>)[1]!.content;
    expect(transcript).toContain('customer: 해외 결제 수수료가 너무 많이 나왔어요');
    expect(transcript).toContain('assistant: 안내해 드렸어요.');
    expect(asked[0]).toMatchObject({ model: 'stub-chat', temperature: 0 });
  });

  it('summarises each trigger once, however often its status change is published, and not other transitions', async () => {
    script({ text: JSON.stringify(SUMMARY) });
    const sessionId = await conversation(['카드 결제일을 바꾸고 싶어요']);
    const before = stub.requests.filter(isSummaryRequest).length;
    await changeStatus(sessionId, 'bot', 'waiting', 1);
    await changeStatus(sessionId, 'bot', 'waiting', 1); // the same event again: the broker drops it
    await changeStatus(sessionId, 'bot', 'waiting', 1, `${sessionId}:status:1:again`); // a copy past the status dedupe: the job's Msg-Id drops it
    await changeStatus(sessionId, 'waiting', 'agent', 2);
    await changeStatus(sessionId, 'agent', 'completed', 3);
    const list = await waitForSummaries(sessionId, 2);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // room for a duplicate to show up
    expect((await summariesOf(sessionId)).map((s) => [s.trigger, s.version])).toEqual([['completed', 3], ['waiting', 1]]);
    expect(list[0]?.source).toBe('llm');
    expect(stub.requests.filter(isSummaryRequest).length - before).toBe(2);
  });

  it('retries a summary whose model call failed, and stores it once', async () => {
    script(sequence([{ httpStatus: 500, errorMessage: 'overloaded' }, { text: JSON.stringify(SUMMARY) }]));
    const sessionId = await conversation(['포인트가 적립되지 않았어요']);
    await changeStatus(sessionId, 'bot', 'waiting', 1);
    const [summary] = await waitForSummaries(sessionId, 1);
    expect(summary).toMatchObject({ source: 'llm', issue: SUMMARY.issue });
    expect(await summariesOf(sessionId)).toHaveLength(1);
    expect(logEntries(worker).some((entry) => entry['msg'] === 'the model failed; the summary job will be tried again' && entry['sessionId'] === sessionId)).toBe(true);
  });

  it('writes an extractive summary on the last attempt when the model keeps failing, and at once when it answers off-format', async () => {
    script({ httpStatus: 503, errorMessage: 'down' });
    const failing = await conversation(['카드를 분실했어요. 재발급 받고 싶어요']);
    await changeStatus(failing, 'bot', 'waiting', 1);
    const [bounded] = await waitForSummaries(failing, 1);
    expect(bounded).toMatchObject({ source: 'extractive', issue: '카드를 분실했어요. 재발급 받고 싶어요', category: 'lost_card' });
    const attempts = logEntries(worker).filter((entry) => entry['msg'] === 'the model failed; the summary job will be tried again' && entry['sessionId'] === failing);
    expect(attempts).toHaveLength(2); // SUMMARY_MAX_ATTEMPTS 3: two with the model, the last without

    script({ text: '요약할 수 없습니다.' });
    const offFormat = await conversation(['연회비 면제 조건이 궁금해요']);
    await changeStatus(offFormat, 'agent', 'completed', 4);
    const [extractive] = await waitForSummaries(offFormat, 1);
    expect(extractive).toMatchObject({ trigger: 'completed', version: 4, source: 'extractive', category: 'fees' });
  });
});

describe('without a model', () => {
  it('writes extractive summaries at both triggers', async () => {
    await worker.process.stop('SIGTERM', 15_000);
    worker = await harness.startWorker(); // retrieval mode: LLM_BASE_URL unset
    const before = stub.requests.length;
    const sessionId = await conversation(['환불 받고 싶어요', '상담원과 이야기하고 싶어요']);
    await changeStatus(sessionId, 'bot', 'waiting', 1);
    await changeStatus(sessionId, 'agent', 'completed', 3);
    const list = await waitForSummaries(sessionId, 2);
    expect(list.map((s) => [s.trigger, s.source])).toEqual([['completed', 'extractive'], ['waiting', 'extractive']]);
    expect(list[1]).toMatchObject({ issue: '환불 받고 싶어요', open: '상담원과 이야기하고 싶어요', category: 'refund' });
    expect(list[1]!.tried).not.toBe('');
    expect(stub.requests.length).toBe(before);
  });

  it('drops the job of a conversation chat-log does not know', async () => {
    const unknown = newSessionId();
    await changeStatus(unknown, 'bot', 'waiting', 1);
    await eventually(async () => logEntries(worker), (entries) => entries.some((e) => e['msg'] === 'summary for a conversation chat-log does not know; dropped' && e['sessionId'] === unknown), 10_000, 'the drop');
    await expect(harness.bus.request('summaryGet', { session_id: unknown })).rejects.toMatchObject({ code: 'E4005' });
  });
});
