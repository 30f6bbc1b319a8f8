import { randomUUID } from 'node:crypto';
import { chatbotSettingsBucket, ChatbotSettingsRecord, type ChatbotSettings } from '@chatbot/proto';
import type { KeyValue } from '@chatbot/bus';
import { eventually } from '@chatbot/testkit';
import { startPersona, type PersonaHarness } from '../../test/harness';
import { publishSettings } from './settings.publisher';

/**
 * Persona as the owner of the chatbot settings: versions in its table, the one in force in the KV
 * bucket, which never goes back to an older version and is put right at start-up.
 */
let h: PersonaHarness;
let kv: KeyValue;
const actor = randomUUID();

const settings = (prompt: string): ChatbotSettings => ({
  system_prompt: prompt,
  greeting: '안녕하세요',
  model: 'm',
  temperature: 1,
  max_tokens: 10,
  handoff: { keywords: ['사람'], categories: [] },
  allow_client_system_prompt: true,
});

beforeAll(async () => {
  h = await startPersona();
  kv = await h.bus.kv(chatbotSettingsBucket.bucket, 0);
});
afterAll(async () => {
  await h?.close();
});

const inBucket = async () => {
  const entry = await kv.get(chatbotSettingsBucket.key);
  return entry ? ChatbotSettingsRecord.parse(JSON.parse(entry.value)) : null;
};

test('saves made at the same moment each get their own version, and the bucket ends with the newest', async () => {
  const saved = await Promise.all([1, 2, 3, 4, 5].map((n) => h.bus.request('chatbotSettingsPut', { actor_id: actor, settings: settings(`프롬프트 ${n}`) })));
  expect(saved.map((record) => record.version).sort()).toEqual([1, 2, 3, 4, 5]);
  const newest = saved.find((record) => record.version === 5)!;
  expect(await inBucket()).toEqual(newest);
  expect(await h.bus.request('chatbotSettingsGet', {})).toEqual(newest);
  const rows = await h.pg.query('SELECT version, changed_by::text, settings FROM persona.chatbot_settings ORDER BY version');
  expect(rows.rows.map((row) => [row.version, row.changed_by])).toEqual([1, 2, 3, 4, 5].map((v) => [v, actor]));
});

test('an older version never replaces a newer one in the bucket', async () => {
  const [older] = (await h.bus.request('chatbotSettingsHistory', { limit: 1, before_version: 5 })).items;
  expect(older?.version).toBe(4);
  expect(await publishSettings(kv, older!)).toBe(false);
  expect((await inBucket())?.version).toBe(5);
});

test('a bucket that lost its entry gets the version in force back when persona starts', async () => {
  await kv.delete(chatbotSettingsBucket.key);
  expect(await inBucket()).toBeNull();
  await h.restart();
  await eventually(async () => expect((await inBucket())?.version).toBe(5), 10_000, 50);
});

test('persona refuses settings its contract refuses, whoever sends them', async () => {
  const bad = { ...settings('x'), temperature: 9 };
  await expect(h.bus.request('chatbotSettingsPut', { actor_id: actor, settings: bad })).rejects.toMatchObject({ code: expect.stringMatching(/^E4/) });
  expect((await h.bus.request('chatbotSettingsGet', {})).version).toBe(5);
});
