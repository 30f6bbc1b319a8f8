import { ChatbotSettings, type ChatbotSettingsRecord } from '@chatbot/proto';
import type { ChatbotSettingsVersion, PrismaClient } from '../generated/prisma/client';

/** What GET answers before any admin saved settings: the workers use their environment. */
export const NEVER_SAVED: ChatbotSettingsRecord = { version: 0, settings: null, updated_by: null, updated_at: null };

/** A version taken by a concurrent save is tried again this often before the save gives up. */
const MAX_VERSION_RACES = 5;

/** The chatbot_settings table: append-only, one row per saved version. */
export class ChatbotSettingsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async current(): Promise<ChatbotSettingsRecord> {
    const row = await this.prisma.chatbotSettingsVersion.findFirst({ orderBy: { version: 'desc' } });
    return row ? recordOf(row) : NEVER_SAVED;
  }

  /** Saves the next version. Two admins saving at once each get their own version (the primary key decides). */
  async save(settings: ChatbotSettings, actorId: string): Promise<ChatbotSettingsRecord> {
    for (let race = 0; ; race += 1) {
      const next = (await this.current()).version + 1;
      const { count } = await this.prisma.chatbotSettingsVersion.createMany({
        data: [{ version: next, settings, changedBy: actorId }],
        skipDuplicates: true,
      });
      if (count === 1) return recordOf((await this.prisma.chatbotSettingsVersion.findUniqueOrThrow({ where: { version: next } })));
      if (race >= MAX_VERSION_RACES) throw new Error('chatbot settings: too many concurrent saves');
    }
  }

  async history(limit: number, beforeVersion?: number): Promise<ChatbotSettingsRecord[]> {
    const rows = await this.prisma.chatbotSettingsVersion.findMany({
      where: beforeVersion === undefined ? {} : { version: { lt: beforeVersion } },
      orderBy: { version: 'desc' },
      take: limit,
    });
    return rows.map(recordOf);
  }
}

function recordOf(row: ChatbotSettingsVersion): ChatbotSettingsRecord {
  return {
    version: row.version,
    // Written only after the contract accepted it; parsed again so a hand-edited row cannot leak out unchecked.
    settings: ChatbotSettings.parse(row.settings),
    updated_by: row.changedBy,
    updated_at: row.changedAt.toISOString(),
  };
}
