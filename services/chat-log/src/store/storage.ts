import { AppError, isAppError, type Logger } from '@chatbot/runtime';

/** Runs a request's work: caller errors pass through; anything else is the database failing (E5003). */
export async function storage<T>(logger: Logger, correlationId: string, task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (error) {
    if (isAppError(error)) throw error;
    logger.warn({ err: error, correlationId }, 'query failed');
    throw new AppError('E5003', undefined, { cause: error });
  }
}
