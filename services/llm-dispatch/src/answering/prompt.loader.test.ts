import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SYSTEM_PROMPT } from './prompt.builder';
import { loadPrompts } from './prompt.loader';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'llm-prompts-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loading prompts at start-up', () => {
  it('uses the Korean default when nothing is configured', async () => {
    expect(await loadPrompts({})).toEqual({ system: DEFAULT_SYSTEM_PROMPT, source: 'default', personas: new Map() });
  });

  it('prefers the prompt file over the variable', async () => {
    const file = join(dir, 'system.txt');
    await writeFile(file, '  파일 프롬프트\n');
    expect(await loadPrompts({ LLM_SYSTEM_PROMPT_FILE: file, LLM_SYSTEM_PROMPT: '변수' })).toMatchObject({ system: '파일 프롬프트', source: 'file' });
    expect(await loadPrompts({ LLM_SYSTEM_PROMPT: '변수' })).toMatchObject({ system: '변수', source: 'env' });
  });

  it('reads persona prompts keyed by persona id', async () => {
    const file = join(dir, 'personas.json');
    await writeFile(file, JSON.stringify({ 1: '미니멀 소비형 고객입니다.', 3: '해외 활동형 고객입니다.' }));
    const prompts = await loadPrompts({ LLM_PERSONA_PROMPTS_FILE: file });
    expect(prompts.personas.get(3)).toBe('해외 활동형 고객입니다.');
    expect(prompts.personas.size).toBe(2);
  });

  it('refuses to start on a missing or malformed file', async () => {
    await expect(loadPrompts({ LLM_SYSTEM_PROMPT_FILE: join(dir, 'missing.txt') })).rejects.toThrow(/ENOENT/);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ kim: 'x' }));
    await expect(loadPrompts({ LLM_PERSONA_PROMPTS_FILE: bad })).rejects.toThrow(/kim: Invalid key/);
    await writeFile(bad, '{not json');
    await expect(loadPrompts({ LLM_PERSONA_PROMPTS_FILE: bad })).rejects.toThrow(/LLM_PERSONA_PROMPTS_FILE/);
  });
});
