import type { Request, Response } from 'express';
import type { z } from 'zod';
import { AccountId, type RequestKey, type RequestPayload, type ResponsePayload } from '@chatbot/proto';
import { RequestError } from '../http/error.mapper';

/** A bus request to persona on behalf of an HTTP request (its correlation id, the gateway's timeout). */
export type Ask = <K extends RequestKey>(key: K, payload: RequestPayload<K>, res: Response) => Promise<ResponsePayload<K>>;

/**
 * The body by its contract, or 422 with the zod issues (their code, path and message: never the
 * input, so a password in a wrong field is not echoed back).
 */
export function bodyOf<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  const parsed = schema.safeParse(req.body ?? undefined);
  if (!parsed.success) throw new RequestError(422, 'E4002', 'Missing or invalid field', parsed.error.issues);
  return parsed.data;
}

/** The `:id` path parameter, a UUID. */
export function pathId(req: Request): string {
  const parsed = AccountId.safeParse(req.params.id);
  if (!parsed.success) throw new RequestError(422, 'E4002', 'Missing or invalid field', parsed.error.issues);
  return parsed.data;
}

/** Names the route for metrics and logs, and sends the handler's result as JSON (nothing for 204). */
export function route(label: string, handler: (req: Request, res: Response) => Promise<unknown>) {
  return async (req: Request, res: Response) => {
    res.locals.route = label;
    const body = await handler(req, res);
    if (res.statusCode === 204) res.end();
    else res.json(body);
  };
}
