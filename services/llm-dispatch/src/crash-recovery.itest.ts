import { startStubLlm, type StubLlm } from '@chatbot/testkit';
import { answeredBy, newSessionId, startHarness, waitUntil, type DispatchHarness } from '../test/harness';

let harness: DispatchHarness;
let stub: StubLlm;

const SLOW_TEXT = Array.from({ length: 30 }, (_, i) => `단어${i}`).join(' ');

beforeAll(async () => {
  stub = await startStubLlm();
  harness = await startHarness({ workerEnv: { LLM_BASE_URL: stub.url, JOB_ACK_WAIT_MS: '3000', LLM_HISTORY_TURNS: '0' } });
});

afterAll(async () => {
  await harness?.close();
  await stub?.close();
});

const deltasOf = (messageId: string) => harness.live.filter((frame) => frame.type === 'delta' && frame.message_id === messageId);

describe('worker failures', () => {
  it('hands the job of a worker killed mid-stream to another worker after the ack wait', async () => {
    stub.setScript((_request, call) => (call === 0 ? { text: SLOW_TEXT, tokenDelayMs: 300 } : { text: '다시 답변드려요.' }));
    const first = await harness.startWorker({}, 'first');
    const sessionId = newSessionId();
    await harness.publishJob(sessionId, 'crash-1', '카드 추천해줘');
    await waitUntil(() => deltasOf('crash-1').length >= 2, 10_000, 'the first worker streaming');
    const second = await harness.startWorker({}, 'second');
    first.process.kill('SIGKILL');

    const reply = await harness.candidateFor('crash-1', 20_000);
    expect(reply).toMatchObject({ kind: 'answer', answer: { message: '다시 답변드려요.' } });
    await waitUntil(() => answeredBy(second, 'crash-1'), 5_000, "the second worker's log line");
    expect(stub.requests).toHaveLength(2);
  });

  it('finishes an in-flight reply on SIGTERM before exiting', async () => {
    const text = Array.from({ length: 10 }, (_, i) => `토큰${i}`).join(' ');
    stub.setScript({ text, tokenDelayMs: 150 });
    const worker = harness.workers.find((w) => w.name.endsWith('#second'))!;
    await harness.publishJob(newSessionId(), 'term-1', '리볼빙 설명해줘');
    await waitUntil(() => deltasOf('term-1').length >= 1, 10_000, 'the worker streaming');

    await worker.process.stop('SIGTERM', 15_000);

    const reply = harness.candidates.find((candidate) => candidate.reply.prompt_message_id === 'term-1')?.reply;
    expect(reply).toMatchObject({ kind: 'answer', answer: { message: text } });
    expect(worker.logs.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
  });
});
