import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import express, { type NextFunction, type Request, type Response } from 'express';

/**
 * A stub OpenAI-compatible LLM server for tests and benchmarks. It speaks the real wire format
 * (`chat.completion.chunk` events over `text/event-stream`, or one `chat.completion` JSON) and lets a
 * script choose, per request, the variant or failure to act out.
 */

export interface StubToolCall {
  id?: string;
  name: string;
  /** JSON text, or an object the stub serialises. */
  arguments: string | Record<string, unknown>;
}

/** What one response does. Fields compose: text, then tool calls, then the end of the stream. */
export interface StubBehaviour {
  text?: string;
  /** Split `text` into this many chunks; default one chunk per word. */
  chunks?: number;
  /** OpenAI style: id and name first, then `arguments` in `argumentFragments` pieces. */
  toolCallIncremental?: StubToolCall | StubToolCall[];
  argumentFragments?: number;
  /** Ollama style: each whole call in one chunk, then finish_reason "stop". */
  toolCallOneShot?: StubToolCall | StubToolCall[];
  /** Give one-shot calls an `index` (Ollama versions differ); default false. */
  oneShotIndex?: boolean;
  finishReason?: string;
  /** Final usage chunk with `choices: []` (true) or `choices: null` ('null'); default: what the request asked for. */
  usage?: boolean | 'null';
  /** End with `data: [DONE]`; default true. */
  doneMarker?: boolean;
  ttftMs?: number;
  tokenDelayMs?: number;
  /** After this many chunk events (the first is the role chunk), send an error event and end. */
  errorMidStream?: { afterChunks: number; message?: string; type?: string };
  /** Answer this status with an OpenAI-style JSON error body instead of a completion. */
  httpStatus?: number;
  errorMessage?: string;
  /** `Retry-After` header (seconds or HTTP date). */
  retryAfter?: number | string;
  /** `retry-after-ms` header, as OpenAI sends it. */
  retryAfterMs?: number;
  /** true: accept and send nothing; `{ afterChunks }`: send that many chunk events, then stall. */
  hang?: boolean | { afterChunks: number };
}

/** The parsed JSON body of one request. */
export interface RecordedRequest {
  model?: string;
  messages?: unknown[];
  tools?: unknown[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  [key: string]: unknown;
}

export type StubScript = (
  request: RecordedRequest,
  callIndex: number,
) => StubBehaviour | Promise<StubBehaviour>;

export interface StubLlmOptions {
  script?: StubScript | StubBehaviour;
  /** Model name echoed when the request names none. */
  model?: string;
}

export interface StubLlm {
  /** Base URL ending in `/v1`. */
  url: string;
  port: number;
  /** Bodies of every chat-completions request, in arrival order. */
  requests: RecordedRequest[];
  /** Headers of the same requests, index for index. */
  headers: IncomingHttpHeaders[];
  /** Replaces the script; the call index passed to scripts restarts at 0. */
  setScript(script: StubScript | StubBehaviour): void;
  /** Open TCP connections, to check that clients hang up. */
  openConnections(): number;
  /** Ends open streams, then the server. Calling it again does nothing. */
  close(): Promise<void>;
}

const DEFAULT_BEHAVIOUR: StubBehaviour = { text: 'Hello from the stub LLM.' };

/** A script that uses entry i for call i; the last entry repeats. */
export function sequence(entries: Array<StubScript | StubBehaviour>): StubScript {
  if (entries.length === 0) throw new Error('sequence() needs at least one entry');
  return (request, callIndex) => toScript(entries[Math.min(callIndex, entries.length - 1)] as StubScript | StubBehaviour)(request, callIndex);
}

export async function startStubLlm(options: StubLlmOptions = {}): Promise<StubLlm> {
  const state = new StubState(options);
  const server = await listen(buildApp(state));
  const sockets = trackSockets(server);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests: state.requests,
    headers: state.headers,
    setScript: (script) => state.setScript(script),
    openConnections: () => sockets.size,
    close: () => closeServer(server, state),
  };
}

class StubState {
  readonly requests: RecordedRequest[] = [];
  readonly headers: IncomingHttpHeaders[] = [];
  readonly model: string;
  closed = false;
  /** One per response in progress; aborted when its client hangs up or the stub closes. */
  private readonly inFlight = new Set<AbortController>();
  private script: StubScript;
  private callIndex = 0;

  constructor(options: StubLlmOptions) {
    this.model = options.model ?? 'stub-model';
    this.script = toScript(options.script ?? DEFAULT_BEHAVIOUR);
  }

  setScript(script: StubScript | StubBehaviour): void {
    this.script = toScript(script);
    this.callIndex = 0;
  }

  /** A signal that fires when the client hangs up or the stub closes. */
  track(res: Response): AbortSignal {
    const controller = new AbortController();
    this.inFlight.add(controller);
    res.on('close', () => {
      this.inFlight.delete(controller);
      controller.abort();
    });
    if (this.closed) controller.abort();
    return controller.signal;
  }

  abortAll(): void {
    this.closed = true;
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
  }

  record(body: RecordedRequest, headers: IncomingHttpHeaders): Promise<StubBehaviour> {
    this.requests.push(body);
    this.headers.push(headers);
    const index = this.callIndex;
    this.callIndex += 1;
    return Promise.resolve(this.script(body, index));
  }
}

function toScript(entry: StubScript | StubBehaviour): StubScript {
  return typeof entry === 'function' ? entry : () => entry;
}

function buildApp(state: StubState): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '20mb' }));
  app.get('/v1/models', (_req, res) => {
    res.json({ object: 'list', data: [{ id: state.model, object: 'model', created: 0, owned_by: 'stub' }] });
  });
  app.post('/v1/chat/completions', (req, res, next) => {
    handleCompletion(state, req, res).catch(next);
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return void res.destroy();
    const status = (error as { status?: number }).status ?? 500;
    sendError(res, status, error instanceof Error ? error.message : 'stub failure');
  });
  return app;
}

async function handleCompletion(state: StubState, req: Request, res: Response): Promise<void> {
  const body = (isObject(req.body) ? req.body : {}) as RecordedRequest;
  const signal = state.track(res);
  const behaviour = await state.record(body, req.headers);
  if (!Array.isArray(body.messages)) return sendError(res, 400, "'messages' is a required property");
  if (behaviour.httpStatus !== undefined) return sendBehaviourError(res, behaviour);
  const reply = planReply(behaviour, body, state.model);
  try {
    if (body.stream === true) await streamReply(res, reply, behaviour, signal);
    else await jsonReply(res, reply, behaviour, signal);
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}

// ---- what to answer -------------------------------------------------------------------------

interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

interface Reply {
  id: string;
  created: number;
  model: string;
  pieces: string[];
  incremental: WireToolCall[];
  oneShot: WireToolCall[];
  finishReason: string;
  includeUsage: boolean;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

function planReply(behaviour: StubBehaviour, body: RecordedRequest, defaultModel: string): Reply {
  const pieces = splitText(behaviour.text ?? '', behaviour.chunks);
  const incremental = toWire(behaviour.toolCallIncremental);
  const oneShot = toWire(behaviour.toolCallOneShot);
  const completionTokens = pieces.length + incremental.length + oneShot.length;
  const promptTokens = countPromptWords(body.messages);
  return {
    id: `chatcmpl-${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    created: Math.floor(Date.now() / 1000),
    model: typeof body.model === 'string' ? body.model : defaultModel,
    pieces,
    incremental,
    oneShot,
    includeUsage: body.stream_options?.include_usage === true,
    finishReason: behaviour.finishReason ?? (incremental.length > 0 ? 'tool_calls' : 'stop'),
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}

function splitText(text: string, chunks: number | undefined): string[] {
  if (text === '') return [];
  // Like real tokens, a word carries the space before it.
  if (chunks === undefined) return text.match(/\s*\S+|\s+$/g) ?? [text];
  return splitEvenly(Array.from(text), chunks);
}

/** Exactly `parts` non-empty pieces (fewer only when there are fewer characters). */
function splitEvenly(chars: string[], parts: number): string[] {
  const count = Math.max(1, Math.min(parts, chars.length));
  const pieces: string[] = [];
  for (let i = 0; i < count; i += 1) {
    pieces.push(chars.slice(Math.floor((i * chars.length) / count), Math.floor(((i + 1) * chars.length) / count)).join(''));
  }
  return pieces;
}

function toWire(calls: StubToolCall | StubToolCall[] | undefined): WireToolCall[] {
  const list = calls === undefined ? [] : Array.isArray(calls) ? calls : [calls];
  return list.map((call) => ({
    id: call.id ?? `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    type: 'function',
    function: {
      name: call.name,
      arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
    },
  }));
}

/** A deterministic stand-in for a tokenizer: words of the string message contents. */
function countPromptWords(messages: unknown[] | undefined): number {
  const contents = (messages ?? []).map((message) => (isObject(message) ? message['content'] : undefined));
  const text = contents.filter((content): content is string => typeof content === 'string').join(' ');
  return text.split(/\s+/).filter(Boolean).length;
}

// ---- streaming --------------------------------------------------------------------------------

/** The `data` payloads of one streamed reply, in order, without the [DONE] marker. */
function chunkPayloads(reply: Reply, behaviour: StubBehaviour): unknown[] {
  const { includeUsage } = reply;
  const chunk = (choices: unknown[] | null, extra: Record<string, unknown> = {}) => ({
    id: reply.id,
    object: 'chat.completion.chunk',
    created: reply.created,
    model: reply.model,
    system_fingerprint: 'fp_stub',
    choices,
    ...(includeUsage ? { usage: null } : {}),
    ...extra,
  });
  const delta = (value: Record<string, unknown>, finishReason: string | null = null) =>
    chunk([{ index: 0, delta: value, logprobs: null, finish_reason: finishReason }]);
  const payloads: unknown[] = [delta({ role: 'assistant', content: '', refusal: null })];
  for (const piece of reply.pieces) payloads.push(delta({ content: piece }));
  reply.incremental.forEach((call, index) => {
    for (const fragment of incrementalFragments(call, index, behaviour.argumentFragments ?? 3)) {
      payloads.push(delta({ tool_calls: [fragment] }));
    }
  });
  if (reply.oneShot.length > 0) {
    const first = reply.incremental.length;
    const calls = reply.oneShot.map((call, i) => (behaviour.oneShotIndex ? { index: first + i, ...call } : call));
    payloads.push(delta({ content: '', tool_calls: calls }));
  }
  payloads.push(delta({}, reply.finishReason));
  const usage = behaviour.usage ?? includeUsage;
  if (usage !== false) payloads.push(chunk(usage === 'null' ? null : [], { usage: reply.usage }));
  return payloads;
}

function incrementalFragments(call: WireToolCall, index: number, parts: number): unknown[] {
  const head = { index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } };
  const pieces = call.function.arguments === '' ? [] : splitEvenly(Array.from(call.function.arguments), parts);
  return [head, ...pieces.map((piece) => ({ index, function: { arguments: piece } }))];
}

async function streamReply(res: Response, reply: Reply, behaviour: StubBehaviour, signal: AbortSignal): Promise<void> {
  if (behaviour.hang === true) return stall(signal);
  res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  res.flushHeaders();
  const payloads = chunkPayloads(reply, behaviour);
  const stopAt = stopIndex(behaviour, payloads.length);
  for (let i = 0; i < stopAt; i += 1) {
    await pause(i === 0 ? behaviour.ttftMs : behaviour.tokenDelayMs, signal);
    res.write(`data: ${JSON.stringify(payloads[i])}\n\n`);
  }
  if (typeof behaviour.hang === 'object') return stall(signal);
  if (behaviour.errorMidStream) {
    const { message = 'The server had an error while processing your request.', type = 'server_error' } = behaviour.errorMidStream;
    res.write(`data: ${JSON.stringify({ error: { message, type, param: null, code: null } })}\n\n`);
  } else if (behaviour.doneMarker !== false) {
    res.write('data: [DONE]\n\n');
  }
  res.end();
}

function stopIndex(behaviour: StubBehaviour, total: number): number {
  if (typeof behaviour.hang === 'object') return Math.min(total, behaviour.hang.afterChunks);
  if (behaviour.errorMidStream) return Math.min(total, behaviour.errorMidStream.afterChunks);
  return total;
}

/** Skips the timer for zero delays: even `setTimeout(0)` costs about 1 ms per chunk in benchmarks. */
async function pause(ms: number | undefined, signal: AbortSignal): Promise<void> {
  if (ms !== undefined && ms > 0) await delay(ms, undefined, { signal });
  else if (signal.aborted) throw signal.reason;
}

/** Holds the response open, sending nothing, until the client hangs up or the stub closes. */
function stall(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

// ---- non-streaming and errors -----------------------------------------------------------------

async function jsonReply(res: Response, reply: Reply, behaviour: StubBehaviour, signal: AbortSignal): Promise<void> {
  if (behaviour.hang) return stall(signal);
  const latency = (behaviour.ttftMs ?? 0) + (behaviour.tokenDelayMs ?? 0) * reply.pieces.length;
  await pause(latency, signal);
  const content = reply.pieces.join('');
  const toolCalls = [...reply.incremental, ...reply.oneShot];
  const message = {
    role: 'assistant',
    content: content === '' && toolCalls.length > 0 ? null : content,
    refusal: null,
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
  res.json({
    id: reply.id,
    object: 'chat.completion',
    created: reply.created,
    model: reply.model,
    system_fingerprint: 'fp_stub',
    choices: [{ index: 0, message, logprobs: null, finish_reason: reply.finishReason }],
    usage: reply.usage,
  });
}

function sendBehaviourError(res: Response, behaviour: StubBehaviour): void {
  if (behaviour.retryAfter !== undefined) res.set('Retry-After', String(behaviour.retryAfter));
  if (behaviour.retryAfterMs !== undefined) res.set('retry-after-ms', String(behaviour.retryAfterMs));
  sendError(res, behaviour.httpStatus ?? 500, behaviour.errorMessage);
}

function sendError(res: Response, status: number, message?: string): void {
  const type = status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error';
  const code = status === 429 ? 'rate_limit_exceeded' : null;
  res.status(status).json({ error: { message: message ?? `Stub error ${status}`, type, param: null, code } });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---- server lifecycle -------------------------------------------------------------------------

function listen(app: express.Express): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1');
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
}

function closeServer(server: Server, state: StubState): Promise<void> {
  if (state.closed) return Promise.resolve();
  state.abortAll();
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
