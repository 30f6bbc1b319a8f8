import { isAppError } from '@chatbot/runtime';
import { isLlmError, LlmTimeoutError } from '../llm/llm.errors';

/**
 * The catalogue code of a dependency failure that deserves a failure reply (and an acked job:
 * retrying a dead model or service only delays the user's answer), or undefined for anything else,
 * which is a bug: the job is retried, up to JOB_MAX_ATTEMPTS.
 */
export function failureCode(error: unknown): 'E5001' | 'E5002' | undefined {
  if (error instanceof LlmTimeoutError) return 'E5001';
  if (isLlmError(error)) return 'E5002';
  if (isAppError(error)) return error.code === 'E5001' ? 'E5001' : 'E5002';
  return undefined;
}
