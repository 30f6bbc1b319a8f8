import type { KeyValue } from '@chatbot/bus';
import { ChatbotSettingsRecord, chatbotSettingsBucket } from '@chatbot/proto';

const MAX_RACES = 5;

/**
 * Puts a saved version in the KV bucket the llm-dispatch workers watch, unless the bucket already
 * holds that version or a newer one: two saves whose writes cross never leave the older in force.
 * Compare-and-set on the entry's revision keeps the check and the write one step.
 */
export async function publishSettings(kv: KeyValue, record: ChatbotSettingsRecord): Promise<boolean> {
  const { key } = chatbotSettingsBucket;
  for (let race = 0; ; race += 1) {
    const entry = await kv.get(key);
    if (entry && versionOf(entry.value) >= record.version) return false;
    const value = JSON.stringify(record);
    try {
      if (entry) await kv.update(key, value, entry.revision);
      else await kv.create(key, value);
      return true;
    } catch (error) {
      if (race >= MAX_RACES) throw error;
    }
  }
}

/** The version a bucket entry holds; an unreadable entry counts as none, so it is replaced. */
function versionOf(value: string): number {
  try {
    return ChatbotSettingsRecord.parse(JSON.parse(value)).version;
  } catch {
    return 0;
  }
}
