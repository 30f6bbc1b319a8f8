import { chatbotSettingsBucket, type ChatbotSettings, type ChatbotSettingsRecord } from '@chatbot/proto';
import type { KeyValue } from '@chatbot/bus';
import { startStubLlm, type StubLlm } from '@chatbot/testkit';
import { eventually, newSessionId, startHarness, type DispatchHarness } from '../../test/harness';

/**
 * A real worker and what it reads from the chatbot settings bucket (written here as persona writes
 * it): the environment while the bucket is empty, a saved version at once, the environment again
 * when the entry is deleted, and a trusted client's own system prompt only while the settings allow it.
 */
let harness: DispatchHarness;
let stub: StubLlm;
let kv: KeyValue;
let ops: string;
let counter = 0;

const ENV_PROMPT = '환경 설정의 프롬프트';
const CLIENT_PROMPT = '너는 감정 전문 상담사야';
const settings = (allow: boolean): ChatbotSettings => ({
  system_prompt: '저장된 설정의 프롬프트',
  greeting: '안녕하세요',
  model: 'saved-model',
  temperature: 0.5,
  max_tokens: 100,
  handoff: { keywords: [], categories: [] },
  allow_client_system_prompt: allow,
});

beforeAll(async () => {
  stub = await startStubLlm({ script: { text: '네.' } });
  harness = await startHarness({ workerEnv: { LLM_BASE_URL: stub.url, LLM_MODEL: 'env-model', LLM_SYSTEM_PROMPT: ENV_PROMPT } });
  const worker = await harness.startWorker();
  ops = `http://127.0.0.1:${worker.ports['ops']}`;
  kv = await harness.bus.kv(chatbotSettingsBucket.bucket, 0);
});
afterAll(async () => {
  await harness?.close();
  await stub?.close();
});

async function save(version: number, allow: boolean): Promise<void> {
  const record: ChatbotSettingsRecord = { version, settings: settings(allow), updated_by: '0b7d4c2e-8f0a-4a57-b0a2-6a3d9c1e5f42', updated_at: new Date().toISOString() };
  await kv.put(chatbotSettingsBucket.key, JSON.stringify(record));
  await eventually(async () => (await (await fetch(`${ops}/healthz`)).json()) as { settings_version: number }, (health) => health.settings_version === version, 1_000, `version ${version} applied`);
}

/**
 * A job as qna-cache queues it. Published here alone: chat-log and qna-cache do not carry a
 * client's system prompt yet, and their copy of the job would win the broker's de-duplication.
 */
async function modelSees(text: string, systemPrompt?: string) {
  const messageId = `c-${(counter += 1)}`;
  const sessionId = newSessionId();
  const before = stub.requests.length;
  const job = { session_id: sessionId, message_id: messageId, text, received_at: new Date().toISOString(), ...(systemPrompt === undefined ? {} : { system_prompt: systemPrompt }) };
  await harness.bus.publish('llmJob', sessionId, job, { msgId: `job:${sessionId}:${messageId}` });
  await harness.candidateFor(messageId);
  const request = stub.requests.slice(before)[0]!;
  return { system: (request.messages as Array<{ content: string }>)[0]!.content, model: request.model };
}

test('with an empty bucket the environment applies, and a trusted client\'s system prompt is used', async () => {
  expect(await modelSees('안녕하세요')).toEqual({ system: ENV_PROMPT, model: 'env-model' });
  expect((await modelSees('요즘 기분이 별로야', CLIENT_PROMPT)).system).toBe(CLIENT_PROMPT);
});

test('the settings decide whether a client\'s system prompt replaces the configured one', async () => {
  await save(1, false);
  expect(await modelSees('요즘 기분이 별로야', CLIENT_PROMPT)).toEqual({ system: '저장된 설정의 프롬프트', model: 'saved-model' });
  await save(2, true);
  expect((await modelSees('요즘 기분이 별로야', CLIENT_PROMPT)).system).toBe(CLIENT_PROMPT);
  expect((await modelSees('그냥 질문이에요')).system).toBe('저장된 설정의 프롬프트');
});

test('a deleted entry brings the environment back, and an invalid entry changes nothing', async () => {
  await save(3, false);
  await kv.put(chatbotSettingsBucket.key, '{"version": 4, "settings": {"system_prompt": ""}}');
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect((await modelSees('질문')).system).toBe('저장된 설정의 프롬프트');
  await kv.delete(chatbotSettingsBucket.key);
  await eventually(async () => (await (await fetch(`${ops}/healthz`)).json()) as { settings_version: number }, (health) => health.settings_version === 0, 1_000, 'the environment back');
  expect(await modelSees('질문')).toEqual({ system: ENV_PROMPT, model: 'env-model' });
});
