import { ConfigError } from '@chatbot/runtime';
import { readConfig } from './config';

const base = { OPS_PORT: '0' };

describe('configuration', () => {
  it('defaults to retrieval mode and the documented limits', () => {
    const config = readConfig(base);
    expect(config.LLM_BASE_URL).toBeUndefined();
    expect(config).toMatchObject({
      LLM_MODEL: 'gpt-4o-mini',
      LLM_CONCURRENCY: 8,
      JOB_ACK_WAIT_MS: 10_000,
      JOB_MAX_ATTEMPTS: 5,
      LLM_HISTORY_TURNS: 10,
      LLM_MAX_TOOL_ROUNDS: 3,
      LLM_TIMEOUT_MS: 60_000,
      LLM_MAX_RETRIES: 3,
      LLM_MAX_TOKENS: 1024,
      LLM_BREAKER_FAILURES: 5,
      LLM_BREAKER_COOLDOWN_MS: 30_000,
      DELTA_COALESCE_MS: 15,
      PERSONA_CACHE_TTL_MS: 30_000,
    });
  });

  it('treats an empty LLM_BASE_URL as unset', () => {
    expect(readConfig({ ...base, LLM_BASE_URL: '' }).LLM_BASE_URL).toBeUndefined();
  });

  it('accepts an http(s) URL and refuses anything else', () => {
    expect(readConfig({ ...base, LLM_BASE_URL: 'http://127.0.0.1:11434/v1' }).LLM_BASE_URL).toBe('http://127.0.0.1:11434/v1');
    expect(() => readConfig({ ...base, LLM_BASE_URL: 'localhost:11434' })).toThrow(/LLM_BASE_URL/);
    expect(() => readConfig({ ...base, LLM_BASE_URL: 'ftp://example.com' })).toThrow(/LLM_BASE_URL/);
  });

  it('lists every bad variable at once', () => {
    try {
      readConfig({ ...base, LLM_CONCURRENCY: '0', LLM_MAX_RETRIES: '-1', JOB_ACK_WAIT_MS: 'soon' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of ['LLM_CONCURRENCY', 'LLM_MAX_RETRIES', 'JOB_ACK_WAIT_MS']) expect(problems).toContain(name);
    }
  });
});
