import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DEFAULT_SYSTEM_PROMPT } from './prompt.builder';

/** The system prompt and the optional per-persona additions, read once at start-up. */
export interface PromptSet {
  system: string;
  /** Where the system prompt came from, for the start-up log. */
  source: 'file' | 'env' | 'default';
  personas: ReadonlyMap<number, string>;
}

const PersonaPrompts = z.record(z.string().regex(/^\d+$/), z.string().min(1));

export interface PromptSettings {
  LLM_SYSTEM_PROMPT_FILE?: string;
  LLM_SYSTEM_PROMPT?: string;
  LLM_PERSONA_PROMPTS_FILE?: string;
}

/** A missing or malformed file stops the start-up: a typo must not silently give the default. */
export async function loadPrompts(settings: PromptSettings): Promise<PromptSet> {
  const personas = settings.LLM_PERSONA_PROMPTS_FILE ? await readPersonaPrompts(settings.LLM_PERSONA_PROMPTS_FILE) : new Map();
  if (settings.LLM_SYSTEM_PROMPT_FILE) {
    const text = (await readFile(settings.LLM_SYSTEM_PROMPT_FILE, 'utf8')).trim();
    if (text === '') throw new Error(`LLM_SYSTEM_PROMPT_FILE ${settings.LLM_SYSTEM_PROMPT_FILE} is empty`);
    return { system: text, source: 'file', personas };
  }
  if (settings.LLM_SYSTEM_PROMPT) return { system: settings.LLM_SYSTEM_PROMPT, source: 'env', personas };
  return { system: DEFAULT_SYSTEM_PROMPT, source: 'default', personas };
}

async function readPersonaPrompts(file: string): Promise<Map<number, string>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`LLM_PERSONA_PROMPTS_FILE ${file}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = PersonaPrompts.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`LLM_PERSONA_PROMPTS_FILE ${file}: ${problems.join('; ')}`);
  }
  return new Map(Object.entries(parsed.data).map(([id, prompt]) => [Number(id), prompt]));
}
