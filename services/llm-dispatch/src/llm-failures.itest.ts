import { UNAVAILABLE_MESSAGE } from '@chatbot/proto';
import { startStubLlm, type RunningService, type StubLlm } from '@chatbot/testkit';
import { eventually, newSessionId, startHarness, type DispatchHarness } from '../test/harness';

let harness: DispatchHarness;
let worker: RunningService;
let stub: StubLlm;
let counter = 0;

beforeAll(async () => {
  stub = await startStubLlm();
  harness = await startHarness({
    workerEnv: {
      LLM_BASE_URL: stub.url,
      LLM_MAX_RETRIES: '0',
      LLM_TIMEOUT_MS: '1000',
      LLM_BREAKER_FAILURES: '2',
      LLM_BREAKER_COOLDOWN_MS: '600000',
    },
  });
  worker = await harness.startWorker();
});

afterAll(async () => {
  await harness?.close();
  await stub?.close();
});

async function ask(text: string) {
  const messageId = `m-${(counter += 1)}`;
  const firstRequest = stub.requests.length;
  await harness.publishJob(newSessionId(), messageId, text);
  const reply = await harness.candidateFor(messageId);
  return { messageId, reply, requests: stub.requests.length - firstRequest };
}

const failure = (code: string) => ({
  kind: 'failure',
  source: 'llm-dispatch',
  error_code: code,
  answer: { message: UNAVAILABLE_MESSAGE, login_required: false },
});

describe('when the model or a tool fails', () => {
  it('turns a server error into one failure reply, without retrying the job', async () => {
    stub.setScript({ httpStatus: 500, errorMessage: 'model crashed' });
    const { reply, requests } = await ask('카드 추천해줘');
    expect(reply).toMatchObject(failure('E5002'));
    expect(requests).toBe(1);
    // the job was acked, not left for redelivery
    await eventually(() => harness.bus.request('queueDepth', {}), (depth) => depth.pending === 0 && depth.ack_pending === 0, 5_000, 'an empty queue');
  });

  it('turns a tool service that is down into a failure reply', async () => {
    stub.setScript({ toolCallIncremental: { name: 'query_term_database', arguments: { term: '리볼빙' } } });
    const { reply } = await harness.whileDown('qna-cache', () => ask('리볼빙이 뭐야?'));
    expect(reply).toMatchObject(failure('E5002'));
  });

  it('reports a model that does not answer in time as E5001', async () => {
    stub.setScript({ hang: true });
    const { reply } = await ask('안녕하세요');
    expect(reply).toMatchObject(failure('E5001'));
  });

  it('fails fast once the breaker is open, without calling the model', async () => {
    stub.setScript({ text: '정상 응답' });
    expect((await ask('안녕하세요')).reply.kind).toBe('answer'); // closes the breaker: a fresh count
    stub.setScript({ httpStatus: 503 });
    expect((await ask('첫 번째')).reply).toMatchObject(failure('E5002'));
    expect((await ask('두 번째')).reply).toMatchObject(failure('E5002'));
    const { reply, requests } = await ask('세 번째');
    expect(reply).toMatchObject(failure('E5002'));
    expect(requests).toBe(0);
    const health = (await (await fetch(`http://127.0.0.1:${worker.ports['ops']}/healthz`)).json()) as Record<string, unknown>;
    expect(health['llm_circuit']).toBe('open');
    const metrics = await (await fetch(`http://127.0.0.1:${worker.ports['ops']}/metrics`)).text();
    expect(metrics).toMatch(/chatbot_llm_breaker_state\{[^}]*\} 2/);
    expect(metrics).toMatch(/chatbot_llm_errors_total\{[^}]*code="LLM_CIRCUIT_OPEN"[^}]*\} 1/);
  });

  it('produced exactly one reply per message, none of them poison', () => {
    const ids = harness.candidates.map((candidate) => candidate.reply.prompt_message_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(counter);
    expect(harness.candidates.some((candidate) => candidate.reply.error_code === 'E5004')).toBe(false);
  });
});
