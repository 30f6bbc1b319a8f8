import type { Bus, KvChange, KvWatch } from '@chatbot/bus';
import { chatbotSettingsBucket, ChatbotSettingsRecord } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';

/**
 * The handoff keywords in force: those of the chatbot settings an admin saved (persona writes them
 * to the KV bucket), or HANDOFF_KEYWORDS while none were saved. Saved settings replace the
 * environment's list rather than add to it, so an admin who clears the keywords turns them off.
 * An entry that does not parse is logged and ignored: the keywords in force stay.
 */
export class HandoffKeywords {
  private saved: { version: number; keywords: string[] } | undefined;

  constructor(
    private readonly envKeywords: string[],
    private readonly logger: Logger,
  ) {}

  current(): string[] {
    return this.saved?.keywords ?? this.envKeywords;
  }

  /** 0 while the environment's keywords apply. */
  version(): number {
    return this.saved?.version ?? 0;
  }

  apply(change: KvChange): void {
    if (change.entry === null) {
      this.saved = undefined;
      return;
    }
    const settings = parseSettings(change.entry.value);
    if (!settings) {
      this.logger.warn({ revision: change.revision }, 'chatbot settings entry is not a valid record; keeping the handoff keywords in force');
      return;
    }
    this.saved = { version: settings.version, keywords: settings.keywords.map((k) => k.trim().toLowerCase()).filter((k) => k.length > 0) };
    this.logger.info({ version: settings.version, keywords: this.saved.keywords.length }, 'handoff keywords applied');
  }
}

function parseSettings(value: string): { version: number; keywords: string[] } | undefined {
  try {
    const parsed = ChatbotSettingsRecord.safeParse(JSON.parse(value));
    if (!parsed.success || !parsed.data.settings) return undefined;
    return { version: parsed.data.version, keywords: parsed.data.settings.handoff.keywords };
  } catch {
    return undefined;
  }
}

/** Follows the settings bucket; the value in force is applied before this resolves. */
export async function watchHandoffKeywords(bus: Pick<Bus, 'kv'>, keywords: HandoffKeywords): Promise<KvWatch> {
  const kv = await bus.kv(chatbotSettingsBucket.bucket, 0);
  return kv.watch(chatbotSettingsBucket.key, (change) => keywords.apply(change));
}
