import { NoRespondersError, TimeoutError, type Msg } from '@nats-io/transport-node';
import {
  requests,
  errorCatalogue,
  type ErrorCode,
  type RequestDef,
  type RequestKey,
  type RequestPayload,
  type ResponsePayload,
} from '@chatbot/proto';
import { AppError, inSpan, isAppError, runIn } from '@chatbot/runtime';
import { correlationOf, decodeJson, encodeJson, headersWith } from './codec';
import { spanForIncoming } from './trace';
import { subjectFor, type Wire } from './wire';

export interface RequestContext {
  correlationId: string;
  subject: string;
  token: string;
}

export type RequestHandler<K extends RequestKey> = (
  request: RequestPayload<K>,
  context: RequestContext,
) => Promise<ResponsePayload<K>>;

type Envelope = { ok: true; data: unknown } | { ok: false; error: { code: ErrorCode; message: string; incident_id?: string } };

const DEFAULT_TIMEOUT_MS = 5_000;

export function serveRequests<K extends RequestKey>(
  bus: Wire,
  key: K,
  handler: RequestHandler<K>,
  token?: string,
): { stop(): Promise<void> } {
  const def: RequestDef = requests[key];
  const subject = subjectFor(bus.ns, def, token);
  const inflight = new Set<Promise<void>>();
  const sub = bus.nc.subscribe(subject, {
    queue: token || def.everyInstance ? undefined : def.owner,
    callback: (error, msg) => {
      if (error) return;
      const task = answer(bus, key, handler, msg).finally(() => inflight.delete(task));
      inflight.add(task);
    },
  });
  return {
    async stop() {
      // A per-token responder (a socket's presence) must stop answering now: draining first
      // would keep it answering for another round trip to the server after its socket closed.
      if (token) sub.unsubscribe();
      else await sub.drain();
      await Promise.allSettled([...inflight]);
    },
  };
}

/** Answers one request message with the handler's result or the error envelope. */
export async function answer<K extends RequestKey>(bus: Wire, key: K, handler: RequestHandler<K>, msg: Msg) {
  const def = requests[key];
  const correlationId = correlationOf(msg.headers);
  const subject = bus.ns.strip(msg.subject);
  const parsed = def.request.safeParse(decodeJson(msg.data));
  const span = spanForIncoming('serve', def.name, msg);
  let envelope: Envelope;
  if (!parsed.success) {
    bus.logger.warn({ subject, correlationId, issues: parsed.error.issues.slice(0, 3) }, 'invalid request');
    envelope = { ok: false, error: { code: 'E4002', message: parsed.error.issues[0]?.message ?? 'invalid request' } };
  } else {
    try {
      const token = subject.slice(subject.lastIndexOf('.') + 1);
      const context = { correlationId, subject, token };
      envelope = { ok: true, data: await runIn(span?.context, () => handler(parsed.data as RequestPayload<K>, context)) };
    } catch (error) {
      envelope = { ok: false, error: toWireError(bus, error, subject, correlationId) };
      span?.end(error);
    }
  }
  span?.end();
  if (msg.reply) msg.respond(encodeJson(envelope), { headers: headersWith(correlationId) });
}

function toWireError(bus: Wire, error: unknown, subject: string, correlationId: string) {
  if (isAppError(error) && error.status < 500) return { code: error.code, message: error.message };
  const code: ErrorCode = isAppError(error) ? error.code : 'E5004';
  const incident_id = bus.incidents.open(code, subject);
  bus.logger.error({ err: error, subject, correlationId, incident_id }, 'request handler failed');
  return { code, message: errorCatalogue[code].text, incident_id };
}

/** A request in a client span of its own (with tracing on), whose context the request carries. */
export function callRequest<K extends RequestKey>(
  bus: Wire,
  key: K,
  payload: RequestPayload<K>,
  options: RequestOptions,
): Promise<ResponsePayload<K>> {
  const name = requests[key].name;
  const attributes = { 'messaging.system': 'nats', 'messaging.destination.template': name };
  return inSpan(`request ${name}`, { role: 'client', attributes }, () => requestOnce(bus, key, payload, options));
}

async function requestOnce<K extends RequestKey>(
  bus: Wire,
  key: K,
  payload: RequestPayload<K>,
  options: RequestOptions,
): Promise<ResponsePayload<K>> {
  const def = requests[key];
  const subject = subjectFor(bus.ns, def, options.token);
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let reply: Msg;
  for (let pauseMs = FIRST_RESPONDER_PAUSE_MS; ; pauseMs = Math.min(pauseMs * 2, MAX_RESPONDER_PAUSE_MS)) {
    try {
      reply = await bus.nc.request(subject, encodeJson(payload), { timeout: Math.max(1, deadline - Date.now()), headers: headersWith(options.correlationId) });
      break;
    } catch (error) {
      const leftMs = deadline - Date.now();
      if (!options.waitForResponder || !isNoResponders(error) || leftMs <= 0) throw transportError(def.name, error);
      await new Promise((resolve) => setTimeout(resolve, Math.min(pauseMs, leftMs)));
      if (Date.now() >= deadline) throw transportError(def.name, error);
    }
  }
  return responseOf(key, reply);
}

/** The typed response in a reply's envelope, or the AppError it carries. */
function responseOf<K extends RequestKey>(key: K, reply: Msg): ResponsePayload<K> {
  const def = requests[key];
  const envelope = decodeJson(reply.data) as Envelope | undefined;
  if (!envelope || typeof envelope !== 'object') throw new AppError('E5004', `malformed reply on ${def.name}`);
  if (!envelope.ok) {
    const code = envelope.error.code in errorCatalogue ? envelope.error.code : 'E5004';
    throw new AppError(code, envelope.error.message);
  }
  const parsed = def.response.safeParse(envelope.data);
  if (!parsed.success) throw new AppError('E5004', `reply on ${def.name} does not match its schema`);
  return parsed.data as ResponsePayload<K>;
}

/**
 * Asks every instance of a request answered by each (`everyInstance`) and collects the answers
 * that arrive within `windowMs`; an answer that is an error or does not match its schema is logged
 * and left out. No responder at all is an empty list.
 */
export async function gatherRequests<K extends RequestKey>(
  bus: Wire,
  key: K,
  payload: RequestPayload<K>,
  options: { windowMs: number; correlationId?: string },
): Promise<Array<ResponsePayload<K>>> {
  const def = requests[key];
  const answers: Array<ResponsePayload<K>> = [];
  try {
    const replies = await bus.nc.requestMany(subjectFor(bus.ns, def), encodeJson(payload), {
      strategy: 'timer',
      maxWait: options.windowMs,
      headers: headersWith(options.correlationId),
    });
    for await (const reply of replies) {
      try {
        answers.push(responseOf(key, reply));
      } catch (error) {
        bus.logger.warn({ err: error, subject: def.name }, 'an answer left out of a gathered request');
      }
    }
  } catch (error) {
    if (!isNoResponders(error)) throw transportError(def.name, error);
  }
  return answers;
}

export interface RequestOptions {
  token?: string;
  timeoutMs?: number;
  correlationId?: string;
  /**
   * Until the timeout, ask again while no service subscribes: after a broker restart the services
   * reconnect one after another (chat-log a quarter of a second after a worker, in the chaos
   * runs), and a caller that can wait should not take that moment for an outage.
   */
  waitForResponder?: boolean;
}

const FIRST_RESPONDER_PAUSE_MS = 25;
const MAX_RESPONDER_PAUSE_MS = 200;

const isNoResponders = (error: unknown) => error instanceof NoRespondersError || (error as Error)?.cause instanceof NoRespondersError;

function transportError(name: string, error: unknown): AppError {
  if (isNoResponders(error)) {
    return new AppError('E5002', `no service answers ${name}`, { cause: error });
  }
  if (error instanceof TimeoutError || (error as Error)?.cause instanceof TimeoutError) {
    return new AppError('E5001', `${name} timed out`, { cause: error });
  }
  return new AppError('E5006', `${name} failed: ${(error as Error).message}`, { cause: error });
}
