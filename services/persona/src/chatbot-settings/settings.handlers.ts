import type { Bus, KeyValue } from '@chatbot/bus';
import { chatbotSettingsBucket } from '@chatbot/proto';
import { AppError, every, type Logger, type Periodic } from '@chatbot/runtime';
import type { PrismaClient } from '../generated/prisma/client';
import { instrument, type PersonaMetrics } from '../persona.metrics';
import { publishSettings } from './settings.publisher';
import { ChatbotSettingsRepository } from './settings.repository';

/** How often the bucket is checked against the table (a save whose KV write failed, a bucket lost with its broker). */
export const SETTINGS_RESYNC_MS = 15_000;

export interface ChatbotSettingsService {
  stop(): Promise<void>;
}

/**
 * Persona owns the chatbot settings (docs/decisions.md): Postgres keeps every version with who saved
 * it and when; the KV bucket holds the one in force for the workers. A save writes the table first
 * (the record of truth) and the bucket second; the resync puts right a bucket that missed one.
 */
export async function serveChatbotSettings(deps: { bus: Bus; prisma: PrismaClient; logger: Logger; metrics: PersonaMetrics }): Promise<ChatbotSettingsService> {
  const { bus, logger } = deps;
  const repository = new ChatbotSettingsRepository(deps.prisma);
  let kv: KeyValue = await bus.kv(chatbotSettingsBucket.bucket, 0);
  const sync = async () => {
    const current = await repository.current();
    if (current.version === 0) return;
    try {
      if (await publishSettings(kv, current)) logger.info({ version: current.version }, 'chatbot settings put in the KV bucket');
    } catch (error) {
      kv = (await bus.reopenKvIfLost(chatbotSettingsBucket.bucket, 0)) ?? kv;
      throw error;
    }
  };
  const observed = { logger, metrics: deps.metrics };
  bus.serve('chatbotSettingsGet', instrument('chatbotSettingsGet', observed, () => repository.current()));
  bus.serve('chatbotSettingsHistory', instrument('chatbotSettingsHistory', observed, async (query) => ({
    items: await repository.history(query.limit, query.before_version),
  })));
  bus.serve('chatbotSettingsPut', instrument('chatbotSettingsPut', observed, async (command, _context, log) => {
    const saved = await repository.save(command.settings, command.actor_id);
    log.info({ version: saved.version, actor: command.actor_id }, 'chatbot settings saved');
    try {
      await sync(); // the newest version, which is this one unless another save came after it
    } catch (error) {
      // Saved, not in force yet: the admin is told, and the resync puts it in force.
      throw new AppError('E5006', undefined, { cause: error });
    }
    return saved;
  }));
  // Runs at once too: a bucket created empty (a new broker) gets the version in force at start-up.
  const resync: Periodic = every('chatbot-settings-resync', SETTINGS_RESYNC_MS, logger, sync);
  return { stop: () => resync.stop() };
}
