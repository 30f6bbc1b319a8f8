import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';
import { errorCatalogue, type ErrorCode, type ErrorResponse } from '@chatbot/proto';
import { isAppError, type IncidentLog, type Logger } from '@chatbot/runtime';

type ErrorBody = z.infer<typeof ErrorResponse>;

/** A caller error found by the gateway itself (bad query or body), with the zod issues as data. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly issues?: z.core.$ZodIssue[],
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

function issuesOf(issues: z.core.$ZodIssue[]) {
  return issues.map(({ code, path, message }) => ({ code, path, message }));
}

/** Express body-parser errors carry a `type`; unparsable JSON is a bad body like any other. */
function fromBodyParser(error: unknown): RequestError | undefined {
  const type = (error as { type?: unknown })?.type;
  if (type === 'entity.parse.failed') return new RequestError(422, 'E4002', 'Invalid JSON body');
  if (type === 'entity.too.large') return new RequestError(413, 'E4003', 'Request body too large');
  if (typeof type === 'string') return new RequestError(400, 'E4001', errorCatalogue.E4001.text);
  return undefined;
}

/**
 * Catalogue codes become their HTTP status. Caller errors say what was wrong; our errors (5xx)
 * show only the code, the catalogue text and an incident id, and the details go to the log.
 */
type Incidents = Pick<IncidentLog, 'open'>;

function toHttpError(error: unknown, observe: { logger: Logger; incidents: Incidents }, context: { method: string; route?: string; correlationId?: string }): { status: number; body: ErrorBody } {
  const known = error instanceof RequestError ? error : fromBodyParser(error);
  if (known) {
    const body: ErrorBody = { error: known.message, code: known.code };
    if (known.issues) body.detail = issuesOf(known.issues);
    return { status: known.status, body };
  }
  const code: ErrorCode = isAppError(error) ? error.code : 'E5004';
  const status = errorCatalogue[code].status;
  if (status < 500) return { status, body: { error: errorCatalogue[code].text, code } };
  const incident_id = observe.incidents.open(code, `${context.method} ${context.route ?? 'unmatched'}`);
  observe.logger.error({ ...context, err: error, code, incident_id }, 'request failed');
  return { status, body: { error: errorCatalogue[code].text, code, incident_id } };
}

/** 5xx answers are incidents: each gets an id from `incidents`, which the dashboard lists. */
export function errorHandler(logger: Logger, incidents: Incidents): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const { status, body } = toHttpError(error, { logger, incidents }, {
      method: req.method,
      route: res.locals.route,
      correlationId: res.locals.correlationId,
    });
    res.status(status).json(body);
  };
}

export const notFound: RequestHandler = (_req, res) => {
  res.locals.route = 'unmatched';
  res.status(404).json({ error: 'Not found', code: 'NOT_FOUND' });
};
