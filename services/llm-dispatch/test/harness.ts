import { randomUUID } from 'node:crypto';
import { Bus } from '@chatbot/bus';
import { requests, subjectOf, type ChatReplyV1, type ChatStoredV1, type HistoryTurn, type RequestKey, type SessionDeliveryV1 } from '@chatbot/proto';
import { createLogger } from '@chatbot/runtime';
import {
  BrokerAdmin,
  isolate,
  openLiveSession,
  startService,
  watchReplyCandidates,
  whilePaused,
  type ReplyCandidate,
  type RunningService,
  type ServiceName,
  type TestEnv,
  type TestSocket,
} from '@chatbot/testkit';

/**
 * What the llm-dispatch integration specs share: real worker processes beside the real chat-log,
 * qna-cache and persona (and a gateway when a spec needs live sessions), on a private NATS prefix
 * and database. The test side only publishes what a gateway publishes and watches the subjects:
 * every reply candidate, every live frame and every request to the other services, as plain
 * core-NATS subscribers that never answer.
 */
/** A frame the worker streams (typing, delta); chat-log's stored and committed frames are left out. */
export type LiveFrame = SessionDeliveryV1 & { session: string };

/** A request seen on the bus, as its owner received it. */
export interface Call {
  key: RequestKey;
  payload: unknown;
}

type Peer = Exclude<ServiceName, 'llm-dispatch'>;

export interface DispatchHarness {
  env: TestEnv;
  bus: Bus;
  /** chat-log, qna-cache, persona (and gateway), by name. */
  services: Map<Peer, RunningService>;
  candidates: ReplyCandidate[];
  live: LiveFrame[];
  /** Every request to chat-log, qna-cache and persona, in the order the bus carried them. */
  calls: Call[];
  /**
   * Resolves once `calls` holds every request the broker carried before now: they reach it over a
   * connection of its own, so a request already answered may not be listed yet.
   */
  callsSettled(): Promise<void>;
  workers: RunningService[];
  startWorker(extraEnv?: Record<string, string>, instance?: string): Promise<RunningService>;
  /**
   * What the gateway does with a user message; once chat-log has stored it, its job is queued
   * also from here, as qna-cache queues it from chat.stored (same dedupe id, same history), so
   * it reaches the workers while qna-cache is down too.
   */
  publishJob(sessionId: string, messageId: string, text: string): Promise<void>;
  /** Waits for the candidate of one prompt. */
  candidateFor(messageId: string, timeoutMs?: number): Promise<ChatReplyV1>;
  /** The turns chat-log lists for a session. */
  history(sessionId: string): Promise<HistoryTurn[]>;
  /** Waits until chat-log lists the answer to a message. */
  answerStored(sessionId: string, messageId: string): Promise<HistoryTurn[]>;
  /** Opens a socket for the session on the gateway, so the session is live. */
  connect(sessionId: string): Promise<void>;
  /** Logs the session in as the gateway's login route does, and waits until chat-log lists the pushed recommendation. */
  login(sessionId: string, personaId: number): Promise<void>;
  /**
   * Runs `body` while the service is stopped, starting it again after. Its requests are not watched
   * meanwhile: with no subscriber at all the broker answers "no responders" at once, as it does in
   * production, where a listener of ours would turn that into a timeout.
   */
  whileDown<T>(name: Peer, body: () => Promise<T>): Promise<T>;
  /** Runs `body` while the service's process is paused (its requests time out), resuming it after. */
  whilePaused<T>(name: Peer, body: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Settings of the chat-log process (e.g. HISTORY_TURNS, so its events carry the history). */
  chatLogEnv?: Record<string, string>;
  /** Environment every worker gets on top of the isolated one. */
  workerEnv?: Record<string, string>;
  /** Start a gateway too, for specs whose sessions must be live (login, binding). */
  gateway?: boolean;
}

const PEERS: Peer[] = ['chat-log', 'qna-cache', 'persona'];
/** The frames chat-log sends on the live subject; the rest are the worker's. */
const CHAT_LOG_FRAMES = new Set(['stored', 'frame']);

export async function startHarness(options: HarnessOptions = {}): Promise<DispatchHarness> {
  const env = await isolate();
  const bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'llm-dispatch-test', logger: createLogger('llm-dispatch-test', 'silent') });
  const admin = await BrokerAdmin.open(env);
  const services = new Map<Peer, RunningService>();
  const start = async (name: Peer) => void services.set(name, await startService(name, name === 'chat-log' ? { ...env.env, ...options.chatLogEnv } : env.env));
  await Promise.all(PEERS.map(start));
  if (options.gateway) await start('gateway');
  const candidates: ReplyCandidate[] = [];
  const live: LiveFrame[] = [];
  const calls: Call[] = [];
  const candidateWatch = watchReplyCandidates(bus, candidates);
  const stored = new Map<string, ChatStoredV1>();
  const storedWatch = bus.subscribe('chatStored', '*', (event) => void stored.set(event.message_id, event));
  const callWatches = new Map(PEERS.map((name) => [name, watchCalls(admin, name, calls)]));
  bus.subscribe('sessionDelivery', '*', (frame, context) => {
    if (!CHAT_LOG_FRAMES.has(frame.type)) live.push({ ...frame, session: context.token });
  });
  await Promise.all([bus.flush(), admin.flush()]);
  const workers: RunningService[] = [];
  const sockets = new Map<string, TestSocket>();
  const history = async (sessionId: string) => (await bus.request('history', { session_id: sessionId, limit: 50 })).turns;
  const harness: DispatchHarness = {
    env,
    bus,
    services,
    candidates,
    live,
    calls,
    callsSettled: () => admin.flush(),
    workers,
    async startWorker(extraEnv = {}, instance) {
      const worker = await startService('llm-dispatch', { ...env.env, ...options.workerEnv, ...extraEnv }, { instance });
      workers.push(worker);
      return worker;
    },
    async publishJob(sessionId, messageId, text) {
      const receivedAt = new Date().toISOString();
      const correlationId = randomUUID();
      const message = { session_id: sessionId, message_id: messageId, text, received_at: receivedAt, gateway_id: 'llm-dispatch-test', protocol: 1 as const };
      await bus.publish('chatInbound', sessionId, message, { msgId: `${sessionId}:${messageId}`, correlationId });
      await waitUntil(() => stored.has(messageId), 10_000, `chat-log to store ${messageId}`);
      // qna-cache forwards the same job under the same id: the broker keeps whichever comes first.
      const { history } = stored.get(messageId)!;
      const job = { session_id: sessionId, message_id: messageId, text, received_at: receivedAt, history };
      await bus.publish('llmJob', sessionId, job, { msgId: `job:${sessionId}:${messageId}`, correlationId });
    },
    async candidateFor(messageId, timeoutMs = 15_000) {
      await waitUntil(() => candidates.some((c) => c.reply.prompt_message_id === messageId), timeoutMs, `a candidate for ${messageId}`);
      return candidates.find((c) => c.reply.prompt_message_id === messageId)!.reply;
    },
    history,
    answerStored: (sessionId, messageId) =>
      eventually(() => history(sessionId), (turns) => turns.some((t) => t.role === 'assistant' && t.message_id === messageId), 10_000, `the answer to ${messageId} stored`),
    async connect(sessionId) {
      if (sockets.has(sessionId)) return;
      const gateway = services.get('gateway');
      if (!gateway) throw new Error('start the harness with { gateway: true } to connect sessions');
      sockets.set(sessionId, await openLiveSession(bus, gateway.ports['http'], sessionId));
    },
    async login(sessionId, personaId) {
      await harness.connect(sessionId);
      const bound = await bus.request('login', { session_id: sessionId, persona_id: personaId });
      if (bound.persona_id !== personaId) throw new Error(`login bound persona ${bound.persona_id}, not ${personaId}`);
      await eventually(() => history(sessionId), (turns) => turns.some((t) => t.role === 'assistant' && !turns.some((u) => u.role === 'user' && u.message_id === t.message_id)), 10_000, 'the login recommendation stored');
    },
    async whileDown(name, body) {
      await services.get(name)!.process.stop('SIGTERM', 15_000);
      for (const watch of callWatches.get(name) ?? []) watch.unsubscribe();
      await admin.flush();
      try {
        return await body();
      } finally {
        callWatches.set(name, watchCalls(admin, name, calls));
        await start(name);
      }
    },
    whilePaused: (name, body) => whilePaused(services.get(name)!, body),
    async close() {
      await Promise.all([...sockets.values()].map((socket) => socket.close()));
      await Promise.all(workers.map((worker) => worker.process.stop('SIGTERM', 15_000)));
      await services.get('gateway')?.process.stop('SIGTERM', 15_000);
      await Promise.all(PEERS.map((name) => services.get(name)?.process.stop('SIGTERM', 15_000)));
      for (const subscription of [candidateWatch, storedWatch, ...[...callWatches.values()].flat()]) subscription.unsubscribe();
      await admin.close();
      await bus.close();
      await env.cleanup();
    },
  };
  return harness;
}

/** A copy of every request to one service; the owner answers, these subscribers never do. */
function watchCalls(admin: BrokerAdmin, owner: Peer, into: Call[]): Array<{ unsubscribe(): void }> {
  const keys = (Object.keys(requests) as RequestKey[]).filter((key) => requests[key].owner === owner);
  return keys.map((key) =>
    admin.watch(subjectOf(requests[key], requests[key].token === null ? undefined : '*'), (msg) => into.push({ key, payload: msg.json() })),
  );
}

export async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls an async probe until it returns a value that passes `accept`. */
export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const newSessionId = (): string => randomUUID();

/** Log lines of a worker as objects (pino JSON), for asserting what it did. */
export function logEntries(worker: RunningService): Array<Record<string, unknown>> {
  return worker.logs.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

export function answeredBy(worker: RunningService, messageId: string): boolean {
  return logEntries(worker).some((entry) => entry['msg'] === 'answered' && entry['messageId'] === messageId);
}
