import { LlmAbortedError } from './llm.errors';

/** "Full jitter": a uniform pick in [0, min(max, base·2^attempt)), so retrying callers spread out. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** attempt));
}

type HeaderValue = string | string[] | number | boolean | null | undefined;

/**
 * Reads `retry-after-ms` (OpenAI, vLLM) or `Retry-After` (seconds or an HTTP date).
 * Returns undefined when absent or unreadable.
 */
export function parseRetryAfter(headers: Record<string, HeaderValue>, now: number): number | undefined {
  const ms = toNumber(firstValue(headers['retry-after-ms']));
  if (ms !== undefined) return ms;
  const raw = firstValue(headers['retry-after']);
  if (!raw) return undefined;
  if (/^[\s\d.+-]+$/.test(raw)) {
    const seconds = toNumber(raw);
    return seconds === undefined ? undefined : seconds * 1000;
  }
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function toNumber(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Waits `ms`, or rejects with LlmAbortedError as soon as `signal` fires. */
export const sleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(aborted(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function aborted(signal: AbortSignal | undefined): LlmAbortedError {
  return new LlmAbortedError('LLM call aborted by the caller', { cause: signal?.reason });
}

function firstValue(value: HeaderValue): string | undefined {
  if (value === undefined || value === null) return undefined;
  return String(Array.isArray(value) ? value[0] : value);
}
