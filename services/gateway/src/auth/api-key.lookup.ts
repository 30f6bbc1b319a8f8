import { createHash } from 'node:crypto';
import type { Bus } from '@chatbot/bus';
import type { ApiKeyVerifyResult } from '@chatbot/proto';
import { isAppError } from '@chatbot/runtime';

export interface ApiKeyLookup {
  /** Who the key acts for, or null when persona refuses it; `fresh`: ask persona even if remembered. */
  verify(key: string, correlationId: string, options?: { fresh?: boolean }): Promise<ApiKeyVerifyResult | null>;
}

/**
 * Asks persona (the keys are opaque and live in its database) and remembers the answer for
 * `cacheSeconds`, keyed by the key's hash, so a busy client costs one bus request per period.
 * A revocation therefore takes effect within that period.
 */
export function apiKeyLookup(deps: { bus: Bus; timeoutMs: number; cacheSeconds: number }): ApiKeyLookup {
  const cache = new Map<string, { until: number; result: ApiKeyVerifyResult | null }>();
  return {
    async verify(key, correlationId, options = {}) {
      const id = createHash('sha256').update(key).digest('hex');
      const hit = cache.get(id);
      if (hit && hit.until > Date.now() && !options.fresh) return hit.result;
      let result: ApiKeyVerifyResult | null;
      try {
        result = await deps.bus.request('apiKeyVerify', { key }, { timeoutMs: deps.timeoutMs, correlationId });
      } catch (error) {
        if (!(isAppError(error) && error.code === 'E4012')) throw error;
        result = null;
      }
      if (cache.size > 10_000) cache.clear(); // bounded: a flood of made-up keys cannot grow it
      // never believed past the key's own expiry
      const until = Math.min(Date.now() + deps.cacheSeconds * 1000, result ? Date.parse(result.expires_at) : Infinity);
      if (deps.cacheSeconds > 0) cache.set(id, { until, result });
      return result;
    },
  };
}
