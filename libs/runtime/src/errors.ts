import { randomBytes } from 'node:crypto';
import { errorCatalogue, type ErrorCode } from '@chatbot/proto';

/** An error with a stable catalogue code; `retryable` says whether trying again can help. */
export class AppError extends Error {
  readonly status: number;
  readonly retryable: boolean;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message ?? errorCatalogue[code].text, { cause: options.cause });
    this.name = 'AppError';
    this.status = errorCatalogue[code].status;
    this.retryable = options.retryable ?? errorCatalogue[code].retryable;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** `INC-YYYYMMDD-XXXXXXXX`: shown to the user, logged with the whole story. */
export function newIncidentId(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  return `INC-${day}-${randomBytes(4).toString('hex').toUpperCase()}`;
}
