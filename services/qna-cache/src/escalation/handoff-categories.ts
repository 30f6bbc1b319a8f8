import type { Bus, KvChange, KvWatch } from '@chatbot/bus';
import { chatbotSettingsBucket, ChatbotSettingsRecord } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';

const normalise = (category: string) => category.trim().toLowerCase();

/**
 * The FAQ categories the saved chatbot settings hand to a person (`handoff.categories`), followed
 * live from the settings bucket persona writes. None before any save. An entry that does not parse
 * is logged and ignored: the categories in force stay.
 */
export class HandoffCategories {
  private listed = new Set<string>();

  constructor(private readonly logger: Logger) {}

  /**
   * Whether an FAQ of this category escalates: the category is listed whole, or one of its
   * `/`-separated parts is (the settings allow no `/`, the catalogue has `분실/도난`).
   */
  escalates(faqCategory: string): boolean {
    if (this.listed.size === 0) return false;
    const whole = normalise(faqCategory);
    return this.listed.has(whole) || whole.split('/').some((part) => this.listed.has(part.trim()));
  }

  apply(change: KvChange): void {
    if (change.entry === null) {
      this.listed = new Set();
      return;
    }
    const categories = parseCategories(change.entry.value);
    if (!categories) {
      this.logger.warn({ revision: change.revision }, 'chatbot settings entry is not a valid record; keeping the handoff categories in force');
      return;
    }
    this.listed = new Set(categories.map(normalise));
    this.logger.info({ categories: this.listed.size }, 'handoff categories applied');
  }
}

function parseCategories(value: string): string[] | undefined {
  try {
    const parsed = ChatbotSettingsRecord.safeParse(JSON.parse(value));
    return parsed.success && parsed.data.settings ? parsed.data.settings.handoff.categories : undefined;
  } catch {
    return undefined;
  }
}

/** Follows the settings bucket; the value in force is applied before this resolves. */
export async function watchHandoffCategories(bus: Pick<Bus, 'kv'>, categories: HandoffCategories): Promise<KvWatch> {
  const kv = await bus.kv(chatbotSettingsBucket.bucket, 0);
  return kv.watch(chatbotSettingsBucket.key, (change) => categories.apply(change));
}
