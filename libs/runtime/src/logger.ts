import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * One JSON line per event on stdout. User text and prompts are logged under the key `content`
 * only, so `LOG_REDACT_CONTENT=true` hides all of it. `fd` 2 logs to stderr instead, for a process
 * whose stdout carries a protocol (an MCP server over stdio).
 */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info', fd: 1 | 2 = 1): Logger {
  const redact = process.env.LOG_REDACT_CONTENT === 'true' ? ['content', '*.content'] : [];
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    redact: { paths: redact, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return fd === 2 ? pino(options, pino.destination(2)) : pino(options);
}

/** The fields every per-message child logger carries. */
export interface MessageContext {
  subject?: string;
  sessionId?: string;
  messageId?: string;
  correlationId?: string;
}

export function messageLogger(parent: Logger, context: MessageContext): Logger {
  return parent.child(context);
}

/**
 * The `ready` line supervisors (npm start, the test harness) wait for, with the ports the service
 * listens on. It is written whatever LOG_LEVEL says, because it is a signal, not chatter.
 */
export function announceReady(logger: Logger, fields: { ports: Record<string, number> } & Record<string, unknown>): void {
  logger.child({}, { level: 'info' }).info(fields, 'ready');
}
