import type { Bus, KvWatch } from '@chatbot/bus';
import { chatbotSettingsBucket } from '@chatbot/proto';
import type { LiveSettings } from './live.settings';

/**
 * Follows the chatbot settings bucket: the value in force is applied before this resolves (so the
 * first job already uses it) and every save after it within milliseconds, without a restart.
 */
export async function watchChatbotSettings(bus: Pick<Bus, 'kv'>, live: LiveSettings): Promise<KvWatch> {
  const kv = await bus.kv(chatbotSettingsBucket.bucket, 0);
  return kv.watch(chatbotSettingsBucket.key, (change) => live.apply(change));
}
