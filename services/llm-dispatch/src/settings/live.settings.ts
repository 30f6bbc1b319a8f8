import type { KvChange } from '@chatbot/bus';
import { ChatbotSettingsRecord, type HandoffRules } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';

/** What a job is answered with: the saved chatbot settings, or the worker's environment before any save. */
export interface EffectiveSettings {
  /** 0 while no settings were saved (the environment applies). */
  version: number;
  systemPrompt: string;
  model: string;
  /** Absent: the model server's default. */
  temperature?: number;
  maxTokens: number;
  handoff: HandoffRules;
  /** Whether a job's own system prompt (sent by a client the gateway trusts) replaces the configured one. */
  allowClientSystemPrompt: boolean;
}

export type EnvSettings = Pick<EffectiveSettings, 'systemPrompt' | 'model' | 'maxTokens'>;

/**
 * The settings in force in this worker, replaced whenever the KV bucket changes (the watch in
 * settings.watch.ts). An entry that does not parse is logged and ignored: the worker keeps what it
 * had rather than answer with half a configuration. A deleted entry brings the environment back.
 */
export class LiveSettings {
  private effective: EffectiveSettings;

  constructor(
    private readonly env: EnvSettings,
    private readonly logger: Logger,
  ) {
    this.effective = fromEnv(env);
  }

  current(): EffectiveSettings {
    return this.effective;
  }

  apply(change: KvChange): void {
    if (change.entry === null) {
      if (this.effective.version !== 0) this.logger.info('chatbot settings removed; using the environment');
      this.effective = fromEnv(this.env);
      return;
    }
    const parsed = parseRecord(change.entry.value);
    if (!parsed?.settings) {
      this.logger.warn({ revision: change.revision }, 'chatbot settings entry is not a valid record; keeping the settings in force');
      return;
    }
    const { settings } = parsed;
    this.effective = {
      version: parsed.version,
      systemPrompt: settings.system_prompt,
      model: settings.model,
      temperature: settings.temperature,
      maxTokens: settings.max_tokens,
      handoff: settings.handoff,
      allowClientSystemPrompt: settings.allow_client_system_prompt,
    };
    this.logger.info({ version: parsed.version, model: settings.model }, 'chatbot settings applied');
  }
}

function fromEnv(env: EnvSettings): EffectiveSettings {
  // The gateway accepts a per-message system prompt only from callers the deployment trusts.
  return { version: 0, ...env, handoff: { keywords: [], categories: [] }, allowClientSystemPrompt: true };
}

function parseRecord(value: string): ChatbotSettingsRecord | undefined {
  try {
    const parsed = ChatbotSettingsRecord.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
