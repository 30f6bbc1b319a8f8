import { startStubLlm, type StubLlm } from '@chatbot/testkit';
import { UNAVAILABLE_MESSAGE } from '@chatbot/proto';
import { answeredBy, eventually, newSessionId, startHarness, waitUntil, type DispatchHarness } from '../test/harness';

let harness: DispatchHarness;
let stub: StubLlm;

beforeAll(async () => {
  // A model that never answers: every attempt dies with its worker.
  stub = await startStubLlm({ script: { hang: true } });
  harness = await startHarness({ workerEnv: { LLM_BASE_URL: stub.url, JOB_ACK_WAIT_MS: '3000', JOB_MAX_ATTEMPTS: '2', LLM_HISTORY_TURNS: '0' } });
});

afterAll(async () => {
  await harness?.close();
  await stub?.close();
});

describe('a job that kills every worker that tries it', () => {
  it('ends, after JOB_MAX_ATTEMPTS real attempts, in one failure reply', async () => {
    const first = await harness.startWorker({}, 'first');
    await harness.publishJob(newSessionId(), 'poison-1', '카드 추천해줘');
    await waitUntil(() => stub.requests.length === 1, 10_000, 'the first attempt');
    const second = await harness.startWorker({}, 'second');
    first.process.kill('SIGKILL');
    await waitUntil(() => stub.requests.length === 2, 15_000, 'the second attempt');
    const third = await harness.startWorker({}, 'third');
    second.process.kill('SIGKILL');

    const reply = await harness.candidateFor('poison-1', 15_000);
    expect(reply).toMatchObject({ kind: 'failure', error_code: 'E5004', answer: { message: UNAVAILABLE_MESSAGE, login_required: false } });
    expect(stub.requests).toHaveLength(2);
    expect(answeredBy(third, 'poison-1')).toBe(false);
    await eventually(() => harness.bus.request('queueDepth', {}), (depth) => depth.pending === 0 && depth.ack_pending === 0, 5_000, 'the job gone');
  });
});
